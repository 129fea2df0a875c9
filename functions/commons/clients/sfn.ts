import { SFNClient } from '../../../core/aws/sfn';

/** Built once per cold start (see ./dynamodb.ts): the lean client of core/aws/sfn.ts, no AWS SDK in the bundle. */
export const stepFunctions = new SFNClient({});
