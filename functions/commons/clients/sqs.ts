import { SQSClient } from '../../../core/aws/sqs';

/** Built once per cold start (see ./dynamodb.ts): the lean client of core/aws/sqs.ts, no AWS SDK in the bundle. */
export const sqs = new SQSClient({});
