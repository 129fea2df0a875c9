import { KMSClient } from '@aws-sdk/client-kms';

/** Built once per cold start (see ./dynamodb.ts). */
export const kms = new KMSClient({});
