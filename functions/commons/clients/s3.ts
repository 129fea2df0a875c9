import { S3Client } from '@aws-sdk/client-s3';

/** Built once per cold start (see ./dynamodb.ts); AWS_ENDPOINT_URL points it at the local edge. */
export const s3 = new S3Client({});
