import { Duration } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV_KEYS } from '../../core/config/env';
import { importDlqName } from '../../core/config/imports';
import {
  ASL_FILE,
  FUNCTION_KEYS,
  FUNCTIONS,
  QUEUE_KEYS,
  QUEUES,
  resourceNames,
  TABLE_KEYS,
} from '../../core/config/names';
import { TABLE_DEFINITIONS } from '../../core/dynamo/tables';
import { readSagaDefinitionText, sagaPlaceholders } from '../../core/saga/definition';
import { PAYMENT_REQUESTED_PATTERN, SAGA_TERMINAL_STATUS_PATTERN } from '../../events/envelope';
import { ARCHIVE_RULE_RETRY } from '../../stacks/History';
import { INTAKE_EVENT_SOURCE, INTAKE_RULE_RETRY } from '../../stacks/intake-route';
import { stageConfig } from '../../stacks/stage-config';
import type { CfnApp, CfnResource } from './cfn';
import { synthesizeCfnApp } from './synth-helper';

type Props = Record<string, unknown>;
const props = (resource: CfnResource): Props => resource.Properties ?? {};

/** The one resource of a type whose rendered `property` equals `value`. */
function findBy(cfn: CfnApp, type: string, property: string, value: string): [string, string, CfnResource] {
  const matches = cfn
    .resourcesOfType(type)
    .filter(
      ([stack, , resource]) =>
        props(resource)[property] !== undefined && cfn.render(stack, props(resource)[property]) === value,
    );
  if (matches.length !== 1) throw new Error(`${matches.length} ${type} with ${property}=${value}`);
  return matches[0] as [string, string, CfnResource];
}

const retentionDaysOf = (stage: string) => Number(stageConfig(stage).logRetention);

describe.each(['prod', 'dev'])('Stacks (stage %s): synthesized templates', (stage) => {
  const n = resourceNames(stage);
  const config = stageConfig(stage);
  const retained = stage === 'prod';
  let cfn: CfnApp;
  let keyArn: string;
  const queue = (key: (typeof QUEUE_KEYS)[number]) =>
    findBy(cfn, 'AWS::SQS::Queue', 'QueueName', n.queues[key]);
  const fn = (key: (typeof FUNCTION_KEYS)[number]) =>
    findBy(cfn, 'AWS::Lambda::Function', 'FunctionName', n.functions[key]);

  beforeAll(async () => {
    cfn = await synthesizeCfnApp(stage);
    const [key] = cfn.resourcesOfType('AWS::KMS::Key');
    if (!key) throw new Error('no KMS key');
    keyArn = cfn.arn(key[0], key[1]);
  });

  describe('Data', () => {
    it('has one customer-managed key, rotated yearly, kept on prod', () => {
      // Act
      const keys = cfn.resourcesOfType('AWS::KMS::Key');
      // Assess
      expect(keys).toHaveLength(1);
      const [, , key] = keys[0] as [string, string, CfnResource];
      expect(props(key).EnableKeyRotation).toBe(true);
      expect(key.DeletionPolicy).toBe(retained ? 'Retain' : 'Delete');
    });

    it.each(TABLE_KEYS)(
      'table %s: key schema and indexes from TABLE_DEFINITIONS, CMK, PITR, removal policy',
      (tableKey) => {
        // Prepare
        const def = TABLE_DEFINITIONS[tableKey];
        // Act
        const [stack, , table] = findBy(cfn, 'AWS::DynamoDB::Table', 'TableName', n.tables[tableKey]);
        const p = cfn.renderDeep(stack, props(table)) as Props;
        // Assess
        expect(p.KeySchema).toEqual([
          { AttributeName: def.partitionKey, KeyType: 'HASH' },
          ...(def.sortKey ? [{ AttributeName: def.sortKey, KeyType: 'RANGE' }] : []),
        ]);
        expect(
          (p.GlobalSecondaryIndexes as { IndexName: string }[] | undefined)?.map((i) => i.IndexName) ?? [],
        ).toEqual(def.globalIndexes.map((i) => i.name));
        expect(p.BillingMode).toBe('PAY_PER_REQUEST');
        expect(p.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn });
        expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
        expect(p.DeletionProtectionEnabled).toBe(config.deletionProtection);
        expect(p.DeletionProtectionEnabled).toBe(retained);
        expect(table.DeletionPolicy).toBe(retained ? 'Retain' : 'Delete');
        expect(p.TimeToLiveSpecification).toEqual(
          def.ttlAttribute ? { AttributeName: def.ttlAttribute, Enabled: true } : undefined,
        );
      },
    );

    it('gives the idempotency table TTL on its expiry attribute', () => {
      // Act
      const [, , table] = findBy(cfn, 'AWS::DynamoDB::Table', 'TableName', n.tables.idempotency);
      // Assess
      expect(props(table).TimeToLiveSpecification).toEqual({ AttributeName: 'expiration', Enabled: true });
    });

    it('keeps the gateway secret under its name, encrypted with the CMK', () => {
      // Act
      const [stack, , secret] = findBy(cfn, 'AWS::SecretsManager::Secret', 'Name', n.gatewaySecret);
      // Assess
      expect(cfn.render(stack, props(secret).KmsKeyId)).toBe(keyArn);
      expect(secret.DeletionPolicy).toBe(retained ? 'Retain' : 'Delete');
    });
  });

  describe('Queues', () => {
    it.each(QUEUE_KEYS)(
      'queue %s: name, visibility, retention, CMK encryption and redrive policy from QUEUES',
      (key) => {
        // Prepare
        const spec = QUEUES[key];
        // Act
        const [stack, , q] = queue(key);
        const p = cfn.renderDeep(stack, props(q)) as Props;
        // Assess
        expect(p.VisibilityTimeout).toBe(spec.visibilityTimeoutSeconds);
        expect(p.MessageRetentionPeriod).toBe(Duration.days(spec.retentionDays).toSeconds());
        expect(p.KmsMasterKeyId).toBe(keyArn);
        expect(p.RedrivePolicy).toEqual(
          spec.redrive && {
            deadLetterTargetArn: cfn.arn(
              ...(queue(spec.redrive.deadLetterQueue).slice(0, 2) as [string, string]),
            ),
            maxReceiveCount: spec.redrive.maxReceiveCount,
          },
        );
        expect(q.DeletionPolicy).toBe(retained ? 'Retain' : 'Delete');
      },
    );

    it('refuses plain-HTTP access to every queue', () => {
      // Act
      const policies = cfn.resourcesOfType('AWS::SQS::QueuePolicy').flatMap(([stack, , policy]) =>
        (props(policy).Queues as unknown[]).map((ref) => ({
          queueUrl: cfn.render(stack, ref),
          denySsl: (props(policy).PolicyDocument as { Statement: Props[] }).Statement.some(
            (s) =>
              s.Effect === 'Deny' &&
              JSON.stringify(s.Condition) === '{"Bool":{"aws:SecureTransport":"false"}}',
          ),
        })),
      );
      // Assess
      // names.ts's queues, and the CSV import's DLQ (stacks/Imports.ts: its S3 events after the retries).
      expect(policies.map((p) => p.queueUrl.split('/').at(-1)).sort()).toEqual(
        [...Object.values(n.queues), importDlqName(stage)].sort(),
      );
      expect(policies.every((p) => p.denySsl)).toBe(true);
    });
  });

  describe('Intake', () => {
    it('routes PaymentRequested from the bus to the intake queue, with a retry policy and its own DLQ', () => {
      // Act
      const [stack, , rule] = findBy(cfn, 'AWS::Events::Rule', 'Name', n.intakeRule);
      const p = cfn.renderDeep(stack, props(rule)) as Props;
      // Assess
      expect(p.EventBusName).toBe(n.eventBus);
      expect(p.EventPattern).toEqual(PAYMENT_REQUESTED_PATTERN);
      expect(p.Targets).toEqual([
        {
          Id: 'Target0',
          Arn: cfn.arn(...(queue('intake').slice(0, 2) as [string, string])),
          RetryPolicy: {
            MaximumRetryAttempts: INTAKE_RULE_RETRY.maximumRetryAttempts,
            MaximumEventAgeInSeconds: INTAKE_RULE_RETRY.maximumEventAgeInSeconds,
          },
          DeadLetterConfig: { Arn: cfn.arn(...(queue('intakeRuleDlq').slice(0, 2) as [string, string])) },
        },
      ]);
      expect(INTAKE_RULE_RETRY.maximumRetryAttempts).toBeGreaterThan(0);
    });

    it('feeds the intake Lambda from the queue in batches, with bounded concurrency and partial batch responses', () => {
      // Act
      // The outbox's mapping (a DynamoDB stream) is test/infra/outbox.test.ts's, the top-up intake's test/infra/top-up.test.ts's,
      // the refund intake's test/infra/refund.test.ts's,
      // the webhook functions' test/infra/webhooks.test.ts's.
      const others = [
        n.functions.publishOutbox,
        n.functions.topUpIntake,
        n.functions.refundIntake,
        n.functions.webhookFanout,
        n.functions.webhookDeliver,
      ];
      const mappings = cfn
        .resourcesOfType('AWS::Lambda::EventSourceMapping')
        .filter(([s, , m]) => !others.includes(cfn.render(s, props(m).FunctionName) as string));
      const [stack, , mapping] = mappings[0] as [string, string, CfnResource];
      const p = cfn.renderDeep(stack, props(mapping)) as Props;
      // Assess
      expect(mappings).toHaveLength(1);
      expect(p.EventSourceArn).toBe(cfn.arn(...(queue('intake').slice(0, 2) as [string, string])));
      expect(p.FunctionName).toBe(n.functions.intake);
      expect(p.BatchSize).toBe(INTAKE_EVENT_SOURCE.batchSize);
      expect(p.MaximumBatchingWindowInSeconds).toBe(INTAKE_EVENT_SOURCE.maxBatchingWindowSeconds);
      expect(p.ScalingConfig).toEqual({ MaximumConcurrency: config.intakeMaxConcurrency });
      expect(config.intakeMaxConcurrency).toBeGreaterThanOrEqual(2);
      expect(p.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    });

    it('keeps a received intake message invisible for at least 6x the intake timeout (AWS advice)', () => {
      // Assess
      expect(QUEUES.intake.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(
        6 * FUNCTIONS.intake.timeoutSeconds,
      );
      expect(props(queue('intake')[2]).VisibilityTimeout).toBe(QUEUES.intake.visibilityTimeoutSeconds);
    });
  });

  describe('Functions', () => {
    it.each(FUNCTION_KEYS)(
      '%s: nodejs22.x on arm64, memory and timeout from names.ts, tracing, own log group with retention',
      (key) => {
        // Prepare
        const spec = FUNCTIONS[key];
        // Act
        const [stack, , f] = fn(key);
        const p = cfn.renderDeep(stack, props(f)) as Props;
        const [, , logGroup] = findBy(
          cfn,
          'AWS::Logs::LogGroup',
          'LogGroupName',
          `/aws/lambda/${n.functions[key]}`,
        );
        // Assess
        expect(p.Runtime).toBe('nodejs22.x');
        expect(p.Architectures).toEqual(['arm64']);
        expect(p.MemorySize).toBe(spec.memoryMb);
        expect(p.Timeout).toBe(spec.timeoutSeconds);
        expect(p.TracingConfig).toEqual({ Mode: 'Active' });
        expect(p.LoggingConfig).toEqual({ LogGroup: `/aws/lambda/${n.functions[key]}` });
        expect(props(logGroup).RetentionInDays).toBe(retentionDaysOf(stage));
        const env = (p.Environment as { Variables: Record<string, string> }).Variables;
        expect(env).toMatchObject({
          [ENV_KEYS.stage]: stage,
          POWERTOOLS_SERVICE_NAME: 'paysaga',
          POWERTOOLS_LOG_LEVEL: config.logLevel,
          POWERTOOLS_LOGGER_LOG_EVENT: 'false',
        });
      },
    );

    it('gives each function the settings it reads, resolved to the real resource names', () => {
      // Prepare
      const envOf = (key: (typeof FUNCTION_KEYS)[number]) => {
        const [stack, , f] = fn(key);
        return (cfn.renderDeep(stack, props(f)) as { Environment: { Variables: Record<string, string> } })
          .Environment.Variables;
      };
      const queueUrl = (key: (typeof QUEUE_KEYS)[number]) =>
        cfn.render(queue(key)[0], { Ref: queue(key)[1] });
      const stateMachineArn = cfn.arn(
        ...(findBy(cfn, 'AWS::StepFunctions::StateMachine', 'StateMachineName', n.stateMachine).slice(
          0,
          2,
        ) as [string, string]),
      );
      // Assess
      expect(envOf('intake')).toMatchObject({
        [ENV_KEYS.eventBusName]: n.eventBus,
        [ENV_KEYS.stateMachineArn]: stateMachineArn,
        [ENV_KEYS.intakeDlqUrl]: queueUrl('intakeDlq'),
      });
      for (const key of ['reserve', 'settle', 'releaseFunds', 'charge', 'refundCharge'] as const) {
        expect(envOf(key)).toMatchObject({
          [ENV_KEYS.ledgerTable]: n.tables.ledger,
          [ENV_KEYS.paymentsTable]: n.tables.payments,
          [ENV_KEYS.idempotencyTable]: n.tables.idempotency,
        });
      }
      for (const key of ['charge', 'refundCharge'] as const) {
        expect(envOf(key)).toMatchObject({ [ENV_KEYS.gatewaySecretId]: n.gatewaySecret });
      }
      expect(envOf('notify')[ENV_KEYS.paymentsTable]).toBeUndefined();
      expect(envOf('notify')).toMatchObject({ [ENV_KEYS.notificationQueueUrl]: queueUrl('notification') });
      expect(envOf('recordOutcome')).toMatchObject({ [ENV_KEYS.eventBusName]: n.eventBus });
      // The secret's name is not its value: no function environment carries a credential.
      for (const key of FUNCTION_KEYS) expect(JSON.stringify(envOf(key))).not.toMatch(/sk_(live|test)_/);
    });

    it('gives every Lambda Task of the saga more time than its function, so the function times out first', () => {
      // Prepare
      const definition = JSON.parse(readSagaDefinitionText()) as {
        States: Record<string, { Resource?: string; TimeoutSeconds?: number }>;
      };
      // Act
      const tasks = Object.values(definition.States).flatMap((state) => {
        const key = FUNCTION_KEYS.find((k) => state.Resource === `\${${FUNCTIONS[k].aslPlaceholder}}`);
        return key ? [{ key, taskTimeout: state.TimeoutSeconds ?? 0 }] : [];
      });
      // Assess
      expect(tasks.length).toBeGreaterThanOrEqual(7);
      for (const { key, taskTimeout } of tasks)
        expect(taskTimeout).toBeGreaterThan(FUNCTIONS[key].timeoutSeconds);
    });
  });

  describe('Saga', () => {
    it(`is a Standard state machine built from ${ASL_FILE} with every placeholder substituted`, () => {
      // Act
      const [stack, , sm] = findBy(
        cfn,
        'AWS::StepFunctions::StateMachine',
        'StateMachineName',
        n.stateMachine,
      );
      const p = props(sm);
      // Assess
      expect(p.StateMachineType).toBe('STANDARD');
      expect(p.DefinitionString).toBe(readSagaDefinitionText());
      expect(Object.keys(p.DefinitionSubstitutions as Props).sort()).toEqual(sagaPlaceholders().sort());
      expect(p.TracingConfiguration).toEqual({ Enabled: true });
      const logging = cfn.renderDeep(stack, p.LoggingConfiguration) as Props;
      expect(logging).toEqual({
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [
          {
            CloudWatchLogsLogGroup: {
              LogGroupArn: `arn:aws:logs:${cfn.env.region}:${cfn.env.account}:log-group:/aws/vendedlogs/states/${n.stateMachine}:*`,
            },
          },
        ],
      });
    });

    it('keeps the saga log group for the stage retention', () => {
      // Act
      const [, , logGroup] = findBy(
        cfn,
        'AWS::Logs::LogGroup',
        'LogGroupName',
        `/aws/vendedlogs/states/${n.stateMachine}`,
      );
      // Assess
      expect(props(logGroup).RetentionInDays).toBe(retentionDaysOf(stage));
      // Besides: one per function, the top-up and refund sagas', and the API's access, execution and WAF logs
      // (test/infra/api.test.ts). The hosted console's log groups are test/infra/console.test.ts's.
      const logGroups = cfn.resourcesOfType('AWS::Logs::LogGroup').filter(([stack]) => stack !== 'Console');
      expect(logGroups).toHaveLength(FUNCTION_KEYS.length + 6);
    });
  });

  describe('History', () => {
    it("sends the saga's terminal status changes (default bus) to the archiver, with retries", () => {
      // Prepare
      const stateMachineArn = `arn:aws:states:${cfn.env.region}:${cfn.env.account}:stateMachine:${n.stateMachine}`;
      // Act
      const [stack, , rule] = findBy(cfn, 'AWS::Events::Rule', 'Name', resourceNames(stage).sagaEndedRule);
      const p = cfn.renderDeep(stack, props(rule)) as Props;
      // Assess
      expect(p.EventBusName).toBeUndefined();
      expect(p.EventPattern).toEqual(SAGA_TERMINAL_STATUS_PATTERN(stateMachineArn));
      expect(p.Targets).toEqual([
        {
          Id: 'Target0',
          Arn: `arn:aws:lambda:${cfn.env.region}:${cfn.env.account}:function:${n.functions.archiveHistory}`,
          RetryPolicy: {
            MaximumRetryAttempts: ARCHIVE_RULE_RETRY.retryAttempts,
            MaximumEventAgeInSeconds: ARCHIVE_RULE_RETRY.maxEventAge.toSeconds(),
          },
        },
      ]);
    });
  });

  // The Ops stack (alarms, dashboard, team roles): test/infra/ops.test.ts.
});
