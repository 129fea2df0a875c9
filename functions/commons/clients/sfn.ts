import { SFNClient } from '@aws-sdk/client-sfn';

/** Built once per cold start (see ./dynamodb.ts). */
export const stepFunctions = new SFNClient({});
