import { SQSClient } from '@aws-sdk/client-sqs';

/** Built once per cold start (see ./dynamodb.ts). */
export const sqs = new SQSClient({});
