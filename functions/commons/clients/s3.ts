import { S3Client } from '../../../core/aws/s3';

/** Built once per cold start (see ./dynamodb.ts): the lean client of core/aws/s3.ts (path-style on AWS_ENDPOINT_URL, the local edge). */
export const s3 = new S3Client({});
