import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { IMPORT_BUCKET_LAYOUT } from '../core/config/imports';

export interface ImportBucketOptions {
  readonly bucketName: string;
  readonly logBucketName: string;
  readonly removalPolicy: RemovalPolicy;
}

/** Access logs are kept this long (PCI DSS 10.7: at least a year). */
const ACCESS_LOG_DAYS = 400;

const SSE_S3_REASON =
  'Producers upload from their own accounts: SSE-KMS with the data key would need a key policy grant per producer account; SSE-S3 encrypts at rest, card numbers in a file are refused row by row and never copied to the result';

/**
 * The imports bucket and its access-log bucket: public access blocked, objects owned by the
 * bucket owner (no ACLs, also for producers' uploads from other accounts), TLS 1.2+ only,
 * versioned, encrypted at rest; uploads expire after IMPORT_BUCKET_LAYOUT.incomingRetentionDays,
 * results after resultRetentionDays, older versions after a week.
 */
export function importBuckets(
  scope: Construct,
  options: ImportBucketOptions,
): { bucket: Bucket; logs: Bucket } {
  const common = {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: true,
    removalPolicy: options.removalPolicy,
  } as const;
  const logs = new Bucket(scope, 'ImportLogBucket', {
    ...common,
    bucketName: options.logBucketName,
    // S3 server access logs are delivered with an ACL: only the log bucket keeps ACLs, for that writer.
    objectOwnership: ObjectOwnership.OBJECT_WRITER,
    lifecycleRules: [
      {
        id: 'expire-access-logs',
        expiration: Duration.days(ACCESS_LOG_DAYS),
        noncurrentVersionExpiration: Duration.days(7),
      },
    ],
  });
  NagSuppressions.addResourceSuppressions(logs, [
    {
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket of the imports bucket; logging it into itself would loop',
    },
    {
      id: 'PCI.DSS.321-S3BucketLoggingEnabled',
      reason: 'This is the access-log bucket of the imports bucket; logging it into itself would loop',
    },
    {
      id: 'PCI.DSS.321-S3BucketReplicationEnabled',
      reason: 'Access logs kept 400 days in one region; CloudTrail keeps the S3 API record too',
    },
    {
      id: 'PCI.DSS.321-S3DefaultEncryptionKMS',
      reason:
        'S3 server access logging cannot deliver to a bucket encrypted with a KMS key; SSE-S3 encrypts at rest',
    },
  ]);
  const bucket = new Bucket(scope, 'ImportBucket', {
    ...common,
    bucketName: options.bucketName,
    serverAccessLogsBucket: logs,
    serverAccessLogsPrefix: 's3/',
    lifecycleRules: [
      {
        id: 'expire-results',
        prefix: IMPORT_BUCKET_LAYOUT.resultsPrefix,
        expiration: Duration.days(IMPORT_BUCKET_LAYOUT.resultRetentionDays),
      },
      {
        id: 'expire-uploads',
        prefix: IMPORT_BUCKET_LAYOUT.incomingPrefix,
        expiration: Duration.days(IMPORT_BUCKET_LAYOUT.incomingRetentionDays),
      },
      { id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(7) },
      { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
    ],
  });
  NagSuppressions.addResourceSuppressions(bucket, [
    {
      id: 'PCI.DSS.321-S3BucketReplicationEnabled',
      reason:
        'Uploads are transient (each file becomes PaymentRequested events and a result file, both expiring); the payments they start are recorded in DynamoDB',
    },
    { id: 'PCI.DSS.321-S3DefaultEncryptionKMS', reason: SSE_S3_REASON },
  ]);
  return { bucket, logs };
}
