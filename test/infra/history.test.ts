import { beforeAll, describe, expect, it } from 'vitest';
import { ENV_KEYS } from '../../core/config/env';
import { bucketNames, HISTORY_ARCHIVE, PAYMENT_RECORD_TTL_ATTRIBUTE } from '../../core/config/history';
import { resourceNames } from '../../core/config/names';
import { StageConfigError, stageConfig, validateStageConfig } from '../../stacks/stage-config';
import type { CfnApp, CfnResource } from './cfn';
import { synthesizeCfnApp } from './synth-helper';

type Props = Record<string, unknown>;

describe.each(['prod', 'dev'])('History stack (stage %s): the archive bucket on S3', (stage) => {
  const config = stageConfig(stage);
  let cfn: CfnApp;
  let bucket: { stack: string; id: string; props: Props };
  let keyArn: string;

  beforeAll(async () => {
    cfn = await synthesizeCfnApp(stage);
    const buckets = cfn
      .resourcesOfType('AWS::S3::Bucket')
      .filter(([s, , r]) => cfn.render(s, r.Properties?.BucketName) === bucketNames(stage).history);
    const [found] = buckets;
    if (!found || buckets.length !== 1) throw new Error(`${buckets.length} history buckets`);
    bucket = { stack: found[0], id: found[1], props: cfn.renderDeep(found[0], found[2].Properties) as Props };
    const [key] = cfn.resourcesOfType('AWS::KMS::Key');
    if (!key) throw new Error('no KMS key');
    keyArn = cfn.arn(key[0], key[1]);
  });

  it('encrypts with the customer-managed data key (SSE-KMS, bucket key), versioned, public access blocked', () => {
    // Assess
    expect(bucket.props.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn },
        },
      ],
    });
    expect(bucket.props.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.props.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });

  it("locks every object in governance mode for the stage's retention", () => {
    // Assess
    expect(bucket.props.ObjectLockEnabled).toBe(true);
    expect(bucket.props.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: config.history.objectLockDays } },
    });
  });

  it('configures the Intelligent-Tiering archive tiers for the history prefix', () => {
    // Assess
    expect(bucket.props.IntelligentTieringConfigurations).toEqual([
      {
        Id: 'history-archive-tiers',
        Prefix: HISTORY_ARCHIVE.keyPrefix,
        Status: 'Enabled',
        Tierings: [
          { AccessTier: 'ARCHIVE_ACCESS', Days: HISTORY_ARCHIVE.archiveAccessTierDays },
          { AccessTier: 'DEEP_ARCHIVE_ACCESS', Days: HISTORY_ARCHIVE.deepArchiveAccessTierDays },
        ],
      },
    ]);
  });

  it('refuses every request not made over TLS 1.2 or later', () => {
    // Act
    const [, , policy] = cfn
      .resourcesOfType('AWS::S3::BucketPolicy')
      .find(([s, , r]) => s === bucket.stack && JSON.stringify(r.Properties?.Bucket).includes(bucket.id)) as [
      string,
      string,
      CfnResource,
    ];
    const statements = (
      cfn.renderDeep(bucket.stack, policy.Properties?.PolicyDocument) as { Statement: Props[] }
    ).Statement;
    // Assess
    const bucketArn = `arn:aws:s3:::${bucketNames(stage).history}`;
    expect(statements).toEqual(
      expect.arrayContaining([
        {
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 's3:*',
          Resource: [bucketArn, `${bucketArn}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        {
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 's3:*',
          Resource: [bucketArn, `${bucketArn}/*`],
          Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
        },
      ]),
    );
  });

  it("gives the payments table a TTL and the archiver the bucket and the stage's TTL", () => {
    // Act
    const [tableStack, , table] = cfn
      .resourcesOfType('AWS::DynamoDB::Table')
      .find(
        ([s, , r]) => cfn.render(s, r.Properties?.TableName) === resourceNames(stage).tables.payments,
      ) as [string, string, CfnResource];
    const [fnStack, , fn] = cfn
      .resourcesOfType('AWS::Lambda::Function')
      .find(
        ([s, , r]) =>
          cfn.render(s, r.Properties?.FunctionName) === resourceNames(stage).functions.archiveHistory,
      ) as [string, string, CfnResource];
    const variables = (cfn.renderDeep(fnStack, fn.Properties?.Environment) as { Variables: Props }).Variables;
    // Assess
    expect(cfn.renderDeep(tableStack, table.Properties?.TimeToLiveSpecification)).toEqual({
      AttributeName: PAYMENT_RECORD_TTL_ATTRIBUTE,
      Enabled: true,
    });
    expect(variables[ENV_KEYS.historyBucket]).toBe(bucketNames(stage).history);
    expect(variables[ENV_KEYS.paymentRecordTtlDays]).toBe(String(config.history.paymentRecordTtlDays));
  });
});

describe('Stage config: history retention', () => {
  it("refuses a payment record TTL shorter than Step Functions' 90-day retention", () => {
    // Prepare
    const config = stageConfig('dev');
    // Act
    const validate = () =>
      validateStageConfig({ ...config, history: { ...config.history, paymentRecordTtlDays: 30 } });
    // Assess
    expect(validate).toThrow(StageConfigError);
    expect(validate).toThrow(/90-day retention/);
  });
});
