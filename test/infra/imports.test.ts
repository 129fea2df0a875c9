import { beforeAll, describe, expect, it } from 'vitest';
import { ENV_KEYS } from '../../core/config/env';
import { bucketNames } from '../../core/config/history';
import { IMPORT_BUCKET_LAYOUT, importDlqName } from '../../core/config/imports';
import { resourceNames } from '../../core/config/names';
import { IMPORT_ASYNC_RETRY } from '../../stacks/Imports';
import { stageConfig } from '../../stacks/stage-config';
import type { CfnApp, CfnResource } from './cfn';
import { synthesizeCfnApp, TEST_ACCOUNT, TEST_REGION } from './synth-helper';

type Props = Record<string, unknown>;
type Found = [string, string, CfnResource];

const STAGE = 'prod';
const config = stageConfig(STAGE);
const bucketName = bucketNames(STAGE).imports;
const bucketArn = `arn:aws:s3:::${bucketName}`;
const functionArn = `arn:aws:lambda:${TEST_REGION}:${TEST_ACCOUNT}:function:${resourceNames(STAGE).functions.importCsv}`;

describe(`Imports stack (stage ${STAGE}): the CSV upload bucket and the import function`, () => {
  let cfn: CfnApp;
  let bucket: { stack: string; id: string; props: Props };
  let policy: Props[];

  const named = (type: string, property: string, name: string): Found => {
    const found = cfn
      .resourcesOfType(type)
      .find(([s, , r]) => cfn.render(s, r.Properties?.[property]) === name);
    if (!found) throw new Error(`no ${type} named ${name}`);
    return found;
  };

  beforeAll(async () => {
    cfn = await synthesizeCfnApp(STAGE);
    const [stack, id, resource] = named('AWS::S3::Bucket', 'BucketName', bucketName);
    bucket = { stack, id, props: cfn.renderDeep(stack, resource.Properties) as Props };
    const [, , bucketPolicy] = cfn
      .resourcesOfType('AWS::S3::BucketPolicy')
      .find(([s, , r]) => s === stack && JSON.stringify(r.Properties?.Bucket).includes(id)) as Found;
    policy = (cfn.renderDeep(stack, bucketPolicy.Properties?.PolicyDocument) as { Statement: Props[] })
      .Statement;
  });

  it('is private, versioned, encrypted, owner-enforced and access-logged to its own log bucket', () => {
    // Prepare
    const [logStack, logId] = named('AWS::S3::Bucket', 'BucketName', `${bucketName}-logs`);
    // Assess
    expect(bucket.props.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.props.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(bucket.props.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.props.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket.props.LoggingConfiguration).toEqual({
      DestinationBucketName: cfn.physicalName(logStack, logId),
      LogFilePrefix: 's3/',
    });
  });

  it('expires results and uploads under their prefixes, old versions and unfinished uploads', () => {
    // Assess
    expect((bucket.props.LifecycleConfiguration as { Rules: Props[] }).Rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Id: 'expire-results',
          Prefix: IMPORT_BUCKET_LAYOUT.resultsPrefix,
          ExpirationInDays: IMPORT_BUCKET_LAYOUT.resultRetentionDays,
          Status: 'Enabled',
        }),
        expect.objectContaining({
          Id: 'expire-uploads',
          Prefix: IMPORT_BUCKET_LAYOUT.incomingPrefix,
          ExpirationInDays: IMPORT_BUCKET_LAYOUT.incomingRetentionDays,
        }),
        expect.objectContaining({
          Id: 'expire-old-versions',
          NoncurrentVersionExpiration: { NoncurrentDays: 7 },
        }),
        expect.objectContaining({
          Id: 'abort-incomplete-uploads',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        }),
      ]),
    );
  });

  it('refuses every request not made over TLS 1.2 or later', () => {
    // Assess
    expect(policy).toEqual(
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

  it('lets each producer write only its own incoming/<source>/ and read only its own results/<source>/', () => {
    // Assess: an allow per producer, and a deny of each source's prefix to everyone but its producer
    const one = <T>(values: T[]): T | T[] => (values.length === 1 ? (values[0] as T) : values);
    for (const [index, producer] of config.eventProducers.entries()) {
      expect(policy).toContainEqual({
        Sid: `Producer${index}Uploads`,
        Effect: 'Allow',
        Principal: { AWS: producer.principal },
        Action: 's3:PutObject',
        Resource: one(producer.sources.map((source) => `${bucketArn}/incoming/${source}/*`)),
      });
      expect(policy).toContainEqual({
        Sid: `Producer${index}ReadsResults`,
        Effect: 'Allow',
        Principal: { AWS: producer.principal },
        Action: 's3:GetObject',
        Resource: one(producer.sources.map((source) => `${bucketArn}/results/${source}/*`)),
      });
      for (const source of producer.sources) {
        expect(policy).toContainEqual(
          expect.objectContaining({
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:PutObject',
            Resource: `${bucketArn}/incoming/${source}/*`,
            Condition: { ArnNotEquals: { 'aws:PrincipalArn': [producer.principal] } },
          }),
        );
      }
    }
    const allows = policy.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toHaveLength(2 * config.eventProducers.length);
  });

  it('sends ObjectCreated under incoming/ (only) to the import function, which S3 alone may invoke from this bucket', () => {
    // Prepare
    const permissions = cfn
      .resourcesOfType('AWS::Lambda::Permission')
      .map(([s, , p]) => cfn.renderDeep(s, p.Properties) as Props)
      .filter((p) => p.FunctionName === functionArn);
    // Assess
    expect(bucket.props.NotificationConfiguration).toEqual({
      LambdaConfigurations: [
        {
          Event: 's3:ObjectCreated:*',
          Function: functionArn,
          Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: IMPORT_BUCKET_LAYOUT.incomingPrefix }] } },
        },
      ],
    });
    expect(permissions).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: functionArn,
        Principal: 's3.amazonaws.com',
        SourceArn: bucketArn,
        SourceAccount: TEST_ACCOUNT,
      },
    ]);
  });

  it('retries a failed import twice, then keeps the S3 event in the import DLQ', () => {
    // Prepare
    const [dlqStack, dlqId] = named('AWS::SQS::Queue', 'QueueName', importDlqName(STAGE));
    const [stack, , config] = cfn.resourcesOfType('AWS::Lambda::EventInvokeConfig')[0] as Found;
    // Assess
    expect(cfn.renderDeep(stack, config.Properties)).toEqual({
      FunctionName: resourceNames(STAGE).functions.importCsv,
      Qualifier: '$LATEST',
      MaximumRetryAttempts: IMPORT_ASYNC_RETRY.retryAttempts,
      MaximumEventAgeInSeconds: IMPORT_ASYNC_RETRY.maxEventAge.toSeconds(),
      DestinationConfig: { OnFailure: { Destination: cfn.arn(dlqStack, dlqId) } },
    });
  });

  it("gives the function the bucket, the bus, the payments table and the producers' sources", () => {
    // Prepare
    const [stack, , fn] = named(
      'AWS::Lambda::Function',
      'FunctionName',
      resourceNames(STAGE).functions.importCsv,
    );
    const variables = (cfn.renderDeep(stack, fn.Properties?.Environment) as { Variables: Props }).Variables;
    // Assess
    expect(variables[ENV_KEYS.importBucket]).toBe(bucketName);
    expect(variables[ENV_KEYS.eventBusName]).toBe(resourceNames(STAGE).eventBus);
    expect(variables[ENV_KEYS.paymentsTable]).toBe(resourceNames(STAGE).tables.payments);
    expect(JSON.parse(String(variables[ENV_KEYS.importSources]))).toEqual(
      config.eventProducers.flatMap((producer) => producer.sources),
    );
    expect(fn.Properties?.Timeout).toBe(900);
  });

  it('alarms when an import ends in the import DLQ: its arrival and its age (an import never fails unseen)', () => {
    // Act
    const alarms = cfn
      .resourcesOfType('AWS::CloudWatch::Alarm')
      .map(([s, , r]) => cfn.renderDeep(s, r.Properties) as Props)
      .filter((a) => JSON.stringify(a.Dimensions ?? []).includes(importDlqName(STAGE)));
    // Assess
    expect(alarms.map((a) => a.MetricName).sort()).toEqual([
      'ApproximateAgeOfOldestMessage',
      'NumberOfMessagesSent',
    ]);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toHaveLength(1);
      expect(String(alarm.AlarmDescription)).toContain(importDlqName(STAGE));
    }
  });
});
