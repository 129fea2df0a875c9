import { Duration } from 'aws-cdk-lib';
import { AnyPrincipal, ArnPrincipal, Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnEventInvokeConfig, CfnPermission } from 'aws-cdk-lib/aws-lambda';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { type StackContext, use } from 'sst/constructs';
import { bucketNames } from '../core/config/history';
import { IMPORT_BUCKET_LAYOUT, importDlqName, incomingPrefix } from '../core/config/imports';
import { DETAIL_TYPES, PAYSAGA_SOURCE } from '../events/envelope';
import { Data } from './Data';
import { paysagaFunction } from './functions';
import { Intake } from './Intake';
import { importBuckets } from './imports-bucket';
import { ACTIONS, allow, keyStatement, queueSendStatement, tableResources } from './permissions';
import { stageConfig } from './stage-config';

/** S3 invokes the import function asynchronously: retried twice, then the event goes to the import DLQ. */
export const IMPORT_ASYNC_RETRY = { retryAttempts: 2, maxEventAge: Duration.hours(6) } as const;

/**
 * CSV batch import: the imports bucket (private, TLS only, versioned, access-logged, results
 * and uploads expiring), each producer of the stage config allowed to write only its own
 * incoming/<source>/ prefix (and read its own results/<source>/), ObjectCreated under incoming/
 * -> the importCsv function, which may read incoming/*, write results/*, put PaymentRequested
 * and BatchImported on the bus, and read payments / write the import's own items in the
 * payments table. An event S3 could not hand over after its retries waits in the import DLQ.
 */
export function Imports({ stack }: StackContext) {
  const { key, tables } = use(Data);
  const { bus } = use(Intake);
  const config = stageConfig(stack.stage);
  const bucketName = bucketNames(stack.stage).imports;
  const bucketArn = `arn:${stack.partition}:s3:::${bucketName}`;
  const sources = [...new Set(config.eventProducers.flatMap((producer) => producer.sources))];

  const deadLetters = new Queue(stack, 'ImportDlq', {
    queueName: importDlqName(stack.stage),
    retentionPeriod: Duration.days(14),
    encryption: QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    removalPolicy: config.removalPolicy,
  });
  NagSuppressions.addResourceSuppressions(deadLetters, [
    {
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is a dead-letter destination itself: the import function's on-failure destination for S3 events",
    },
  ]);

  const importer = paysagaFunction(stack, 'importCsv', {
    stage: stack.stage,
    logRetention: config.logRetention,
    logLevel: config.logLevel,
    removalPolicy: config.removalPolicy,
    env: {
      paymentsTable: tables.payments.tableName,
      eventBusName: bus.eventBusName,
      importBucket: bucketName,
      importSources: JSON.stringify(sources),
    },
    statements: [
      allow(['s3:GetObject'], [`${bucketArn}/${IMPORT_BUCKET_LAYOUT.incomingPrefix}*`]),
      allow(['s3:PutObject'], [`${bucketArn}/${IMPORT_BUCKET_LAYOUT.resultsPrefix}*`]),
      // Rows under their producer's sources, the summary under paysaga's (the bus policy names this role too).
      new PolicyStatement({
        actions: [...ACTIONS.putEvents],
        resources: [bus.eventBusArn],
        conditions: {
          StringEquals: {
            'events:detail-type': [DETAIL_TYPES.paymentRequested, DETAIL_TYPES.batchImported],
            'events:source': [...sources, PAYSAGA_SOURCE],
          },
        },
      }),
      // Was a paymentId requested before (its record, archive pointer or import mark)?
      allow(ACTIONS.tableRead, tableResources(tables.payments)),
      // Writes only the import's own items: IMPORT#<importId> (checkpoint) and IMPORTED#<paymentId> (marks).
      new PolicyStatement({
        actions: ['dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'],
        resources: [tables.payments.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['IMPORT#*', 'IMPORTED#*'] },
        },
      }),
      // S3 events the function failed after its retries (its asynchronous on-failure destination).
      queueSendStatement([deadLetters]),
      keyStatement(key, true),
    ],
  });
  // Written out, not configureAsyncInvoke's destination, whose grant adds actions nobody calls.
  new CfnEventInvokeConfig(stack, 'ImportCsvAsyncInvoke', {
    functionName: importer.fn.functionName,
    qualifier: '$LATEST',
    maximumRetryAttempts: IMPORT_ASYNC_RETRY.retryAttempts,
    maximumEventAgeInSeconds: IMPORT_ASYNC_RETRY.maxEventAge.toSeconds(),
    destinationConfig: { onFailure: { destination: deadLetters.queueArn } },
  });
  NagSuppressions.addResourceSuppressions(
    importer.role,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Uploads and results are keyed by producer and file name, unknown in advance: the grants are incoming/* (read) and results/* (write) of the imports bucket',
        appliesTo: [{ regex: '/^Resource::arn:.*:s3:::.*-imports\\/(incoming|results)\\/\\*$/g' }],
      },
    ],
    true,
  );

  // S3 checks the function may be invoked before it accepts the notification: the permission comes first.
  const invokePermission = new CfnPermission(stack, 'ImportCsvInvokedByS3', {
    action: 'lambda:InvokeFunction',
    functionName: importer.fn.functionArn,
    principal: new ServicePrincipal('s3.amazonaws.com').service,
    sourceArn: bucketArn,
    sourceAccount: stack.account,
  });

  const { bucket } = importBuckets(stack, {
    bucketName,
    logBucketName: `${bucketName}-logs`,
    removalPolicy: config.removalPolicy,
  });
  (bucket.node.defaultChild as CfnBucket).notificationConfiguration = {
    lambdaConfigurations: [
      {
        event: 's3:ObjectCreated:*',
        function: importer.fn.functionArn,
        filter: { s3Key: { rules: [{ name: 'prefix', value: IMPORT_BUCKET_LAYOUT.incomingPrefix }] } },
      },
    ],
  };
  bucket.node.addDependency(invokePermission);

  // Each producer writes its own incoming/<source>/ and reads its own results/<source>/; nobody else writes there.
  for (const [index, producer] of config.eventProducers.entries()) {
    bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: `Producer${index}Uploads`,
        effect: Effect.ALLOW,
        principals: [new ArnPrincipal(producer.principal)],
        actions: ['s3:PutObject'],
        resources: producer.sources.map((source) => `${bucketArn}/${incomingPrefix(source)}*`),
      }),
    );
    bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: `Producer${index}ReadsResults`,
        effect: Effect.ALLOW,
        principals: [new ArnPrincipal(producer.principal)],
        actions: ['s3:GetObject'],
        resources: producer.sources.map(
          (source) => `${bucketArn}/${IMPORT_BUCKET_LAYOUT.resultsPrefix}${source}/*`,
        ),
      }),
    );
  }
  for (const [index, source] of sources.entries()) {
    const owners = config.eventProducers.filter((producer) => producer.sources.includes(source));
    bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: `OnlyItsProducerWritesSource${index}`,
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [`${bucketArn}/${incomingPrefix(source)}*`],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': owners.map((producer) => producer.principal) } },
      }),
    );
  }

  return { bucket, importer, deadLetters };
}
