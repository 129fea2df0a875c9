import { KMSClient } from '../../../core/aws/kms';

/** Built once per cold start (see ./dynamodb.ts): the lean client of core/aws/kms.ts, no AWS SDK in the bundle. */
export const kms = new KMSClient({});
