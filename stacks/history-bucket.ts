import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectLockRetention } from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { bucketNames, HISTORY_ARCHIVE, type HistoryRetention } from '../core/config/history';

/**
 * The saga history archive's bucket: encrypted with the data key (SSE-KMS,
 * bucket key), versioned, public access blocked, TLS only, Object Lock in
 * governance mode with the stage's retention as default, and the
 * Intelligent-Tiering archive tiers (objects are written in the
 * INTELLIGENT_TIERING class by core/payments/archive.ts).
 */
export function historyBucket(
  scope: Construct,
  options: {
    readonly stage: string;
    readonly key: IKey;
    readonly retention: HistoryRetention;
    readonly removalPolicy: RemovalPolicy;
  },
): Bucket {
  const bucket = new Bucket(scope, 'HistoryBucket', {
    bucketName: bucketNames(options.stage).history,
    encryption: BucketEncryption.KMS,
    encryptionKey: options.key,
    bucketKeyEnabled: true,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    versioned: true,
    objectLockEnabled: true,
    objectLockDefaultRetention: ObjectLockRetention.governance(
      Duration.days(options.retention.objectLockDays),
    ),
    intelligentTieringConfigurations: [
      {
        name: 'history-archive-tiers',
        prefix: HISTORY_ARCHIVE.keyPrefix,
        archiveAccessTierTime: Duration.days(HISTORY_ARCHIVE.archiveAccessTierDays),
        deepArchiveAccessTierTime: Duration.days(HISTORY_ARCHIVE.deepArchiveAccessTierDays),
      },
    ],
    lifecycleRules: [
      { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
    ],
    removalPolicy: options.removalPolicy,
  });
  NagSuppressions.addResourceSuppressions(bucket, [
    {
      id: 'AwsSolutions-S1',
      reason:
        'Written only by the archiver role and read by the finance and operations roles; CloudTrail records their S3 calls, and an access-log bucket could not be KMS-encrypted',
    },
    {
      id: 'PCI.DSS.321-S3BucketLoggingEnabled',
      reason:
        'Written only by the archiver role and read by the finance and operations roles; CloudTrail records their S3 calls, and an access-log bucket could not be KMS-encrypted',
    },
    {
      id: 'PCI.DSS.321-S3BucketReplicationEnabled',
      reason:
        'Versioning and Object Lock keep every archived timeline from being rewritten or deleted; the timeline can also be rebuilt from the ledger journal',
    },
  ]);
  return bucket;
}
