import { beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CONFIG_FILE, consoleFunctionName, consoleRoleName } from '../../core/config/console';
import { bucketNames } from '../../core/config/history';
import { importDlqName } from '../../core/config/imports';
import {
  API,
  FUNCTION_KEYS,
  FUNCTIONS,
  type FunctionKey,
  type QueueKey,
  resourceNames,
  type TableKey,
} from '../../core/config/names';
import { PAYSAGA_OPS_SOURCE, PAYSAGA_SOURCE } from '../../events/envelope';
import { roleName } from '../../stacks/roles';
import { stageConfig } from '../../stacks/stage-config';
import type { CfnApp } from './cfn';
import { synthesizeCfnApp, TEST_ACCOUNT, TEST_REGION } from './synth-helper';

interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource?: string | string[];
  readonly Principal?: unknown;
  readonly Condition?: unknown;
}

const STAGE = 'prod';
const n = resourceNames(STAGE);
const arrayOf = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Actions AWS only authorizes on Resource "*": X-Ray, and the CloudWatch Logs delivery APIs Step Functions logging uses. */
const STAR_ONLY_ACTIONS = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
]);
/** Also authorized on Resource "*" only: ListStreams, called by the outbox's DynamoDB stream event source mapping. */
const STREAM_STAR_ONLY_ACTIONS = new Set(['dynamodb:ListStreams']);

// ARNs as AWS will see them, built from names.ts (not from the templates under test).
const region = TEST_REGION;
const account = TEST_ACCOUNT;
const queueArn = (key: QueueKey) => `arn:aws:sqs:${region}:${account}:${n.queues[key]}`;
const tableArn = (key: TableKey) => `arn:aws:dynamodb:${region}:${account}:table/${n.tables[key]}`;
const indexArn = (key: TableKey) => `${tableArn(key)}/index/*`;
const functionArn = (key: FunctionKey) => `arn:aws:lambda:${region}:${account}:function:${n.functions[key]}`;
const logsArn = (key: FunctionKey) =>
  `arn:aws:logs:${region}:${account}:log-group:/aws/lambda/${n.functions[key]}:*`;
const busArn = `arn:aws:events:${region}:${account}:event-bus/${n.eventBus}`;
const consoleLogsArn = (access: 'read' | 'act') =>
  `arn:aws:logs:${region}:${account}:log-group:/aws/lambda/${consoleFunctionName(STAGE, access)}:*`;
const stateMachineArn = `arn:aws:states:${region}:${account}:stateMachine:${n.stateMachine}`;
const executionsArn = `arn:aws:states:${region}:${account}:execution:${n.stateMachine}:*`;
const secretArn = `arn:aws:secretsmanager:${region}:${account}:secret:${n.gatewaySecret}-AbCdEf`;
const ruleArn = `arn:aws:events:${region}:${account}:rule/${n.eventBus}/${n.intakeRule}`;
const topUpRuleArn = `arn:aws:events:${region}:${account}:rule/${n.eventBus}/${n.topUpRule}`;
const topUpStateMachineArn = `arn:aws:states:${region}:${account}:stateMachine:${n.topUpStateMachine}`;
const topUpExecutionsArn = `arn:aws:states:${region}:${account}:execution:${n.topUpStateMachine}:*`;
const refundRuleArn = `arn:aws:events:${region}:${account}:rule/${n.eventBus}/${n.refundRule}`;
const refundStateMachineArn = `arn:aws:states:${region}:${account}:stateMachine:${n.refundStateMachine}`;
const refundExecutionsArn = `arn:aws:states:${region}:${account}:execution:${n.refundStateMachine}:*`;
const accountRoot = `arn:aws:iam::${account}:root`;
const historyBucketArn = `arn:aws:s3:::${bucketNames(STAGE).history}`;
const historyObjectsArn = `${historyBucketArn}/history/*`;
const importBucketArn = `arn:aws:s3:::${bucketNames(STAGE).imports}`;
const importDlqArn = `arn:aws:sqs:${region}:${account}:${importDlqName(STAGE)}`;

/** CloudFormation's rendering of an AWS principal list: a lone ARN is a string. */
const awsPrincipal = (arns: readonly string[]) => ({ AWS: arns.length === 1 ? arns[0] : [...arns] });

const grants = (actions: string[], resources: string[]): string[] =>
  actions.flatMap((action) => resources.map((resource) => `${action} ${resource}`));

/** Collects "action resource" grants of each principal from every identity policy in the app. */
function identityGrants(cfn: CfnApp): Map<string, Statement[]> {
  const byPrincipal = new Map<string, Statement[]>();
  const principalOfRole = (stack: string, roleId: string): string => {
    for (const [s, , fn] of cfn.resourcesOfType('AWS::Lambda::Function')) {
      const role = fn.Properties?.Role as { 'Fn::GetAtt'?: string[] } | undefined;
      if (s === stack && role?.['Fn::GetAtt']?.[0] === roleId)
        return `function:${cfn.render(s, fn.Properties?.FunctionName)}`;
    }
    for (const [s, , sm] of cfn.resourcesOfType('AWS::StepFunctions::StateMachine')) {
      const role = sm.Properties?.RoleArn as { 'Fn::GetAtt'?: string[] } | undefined;
      if (s === stack && role?.['Fn::GetAtt']?.[0] === roleId)
        return `states:${cfn.render(s, sm.Properties?.StateMachineName)}`;
    }
    return `role:${cfn.physicalName(stack, roleId)}`;
  };
  for (const [stack, , policy] of cfn.resourcesOfType('AWS::IAM::Policy')) {
    const document = cfn.renderDeep(stack, policy.Properties?.PolicyDocument) as { Statement: Statement[] };
    for (const role of (policy.Properties?.Roles ?? []) as { Ref: string }[]) {
      const principal = principalOfRole(stack, role.Ref);
      byPrincipal.set(principal, [...(byPrincipal.get(principal) ?? []), ...document.Statement]);
    }
  }
  return byPrincipal;
}

function flatten(statements: readonly Statement[]): string[] {
  return statements
    .flatMap((s) => grants(arrayOf(s.Action), arrayOf(s.Resource)))
    .sort()
    .filter((grant, i, all) => all.indexOf(grant) === i);
}

describe('IAM: every policy in the synthesized templates', () => {
  let cfn: CfnApp;
  let byPrincipal: Map<string, Statement[]>;
  let keyArn: string;

  beforeAll(async () => {
    cfn = await synthesizeCfnApp(STAGE);
    byPrincipal = identityGrants(cfn);
    const [keyEntry] = cfn.resourcesOfType('AWS::KMS::Key');
    if (!keyEntry) throw new Error('no KMS key in the app');
    keyArn = cfn.arn(keyEntry[0], keyEntry[1]);
  });

  const expectedGrants = (): Record<string, string[]> => {
    const logsAndTraces = (key: FunctionKey) => [
      ...grants(['logs:CreateLogStream', 'logs:PutLogEvents'], [logsArn(key)]),
      ...grants(['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], ['*']),
    ];
    const tableRead = (key: TableKey) =>
      grants(['dynamodb:GetItem', 'dynamodb:Query'], [tableArn(key), indexArn(key)]);
    const tableWrite = (key: TableKey) => [
      ...tableRead(key),
      ...grants(['dynamodb:PutItem', 'dynamodb:UpdateItem'], [tableArn(key), indexArn(key)]),
    ];
    const idempotency = grants(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      [tableArn('idempotency')],
    );
    const keyWrite = grants(['kms:Decrypt', 'kms:GenerateDataKey'], [keyArn]);
    const ledgerStep = [...tableWrite('ledger'), ...tableWrite('payments'), ...idempotency, ...keyWrite];
    const gatewayRead = grants(['secretsmanager:GetSecretValue'], [secretArn]);
    const refundItems = grants(['dynamodb:GetItem', 'dynamodb:UpdateItem'], [tableArn('payments')]);
    const fn: Record<FunctionKey, string[]> = {
      intake: [
        ...grants(
          ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
          [queueArn('intake')],
        ),
        ...grants(['sqs:SendMessage'], [queueArn('intakeDlq')]),
        ...keyWrite,
        ...grants(['states:StartExecution'], [stateMachineArn]),
        ...grants(['states:DescribeExecution'], [executionsArn]),
        ...grants(['dynamodb:GetItem', 'dynamodb:Query'], [tableArn('payments')]),
        ...grants(['events:PutEvents'], [busArn]),
      ],
      reserve: ledgerStep,
      settle: ledgerStep,
      releaseFunds: ledgerStep,
      charge: [...gatewayRead, ...tableWrite('payments'), ...idempotency, ...keyWrite],
      refundCharge: [
        ...gatewayRead,
        ...tableWrite('ledger'),
        ...tableWrite('payments'),
        ...idempotency,
        ...keyWrite,
      ],
      notify: [...grants(['sqs:SendMessage'], [queueArn('notification')]), ...idempotency, ...keyWrite],
      recordOutcome: [
        ...tableWrite('payments'),
        ...grants(['sqs:SendMessage'], [queueArn('notification')]),
        ...keyWrite,
      ],
      apiSubmit: [
        // The client's request record (pk PAYMENT#<id>, sk API#REQUEST): read, create once, update.
        ...grants(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [tableArn('payments')]),
        ...keyWrite,
        ...grants(['events:PutEvents'], [busArn]),
      ],
      publishOutbox: [
        // The request record: read it, mark it published; the payments table's stream; its DLQ; the bus.
        ...grants(['dynamodb:GetItem', 'dynamodb:UpdateItem'], [tableArn('payments')]),
        ...grants(
          ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
          [`${tableArn('payments')}/stream/1970-01-01T00:00:00.000`],
        ),
        ...grants(['dynamodb:ListStreams'], ['*']),
        ...grants(['sqs:SendMessage'], [queueArn('outboxDlq')]),
        ...keyWrite,
        ...grants(['events:PutEvents'], [busArn]),
      ],
      apiRead: [
        ...grants(['dynamodb:GetItem', 'dynamodb:Query'], [tableArn('payments')]),
        ...grants(['kms:Decrypt'], [keyArn]),
      ],
      apiWalletsWrite: [
        // Owner and key records: read, create once; Ledger.openWallet: conditional put, read back.
        ...grants(['dynamodb:GetItem', 'dynamodb:PutItem'], [tableArn('payments')]),
        ...grants(['dynamodb:GetItem', 'dynamodb:PutItem'], [tableArn('ledger')]),
        ...keyWrite,
      ],
      apiWalletsRead: [
        ...grants(['dynamodb:GetItem'], [tableArn('payments')]),
        ...tableRead('ledger'),
        ...grants(['kms:Decrypt'], [keyArn]),
      ],
      topUpIntake: [
        ...grants(
          ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
          [queueArn('topUpIntake')],
        ),
        ...grants(['sqs:SendMessage'], [queueArn('topUpIntakeDlq')]),
        ...keyWrite,
        ...grants(['states:StartExecution'], [topUpStateMachineArn]),
        ...grants(['states:DescribeExecution'], [topUpExecutionsArn]),
      ],
      // The wallet check reads the ledger; the charge, the top-up record.
      topUpCharge: [
        ...gatewayRead,
        ...grants(['dynamodb:GetItem', 'dynamodb:Query'], [tableArn('ledger')]),
        ...tableWrite('payments'),
        ...idempotency,
        ...keyWrite,
      ],
      topUpCredit: ledgerStep,
      // Reads that the wallet was not credited, then refunds at the gateway.
      topUpRefund: [
        ...gatewayRead,
        ...grants(['dynamodb:GetItem', 'dynamodb:Query'], [tableArn('ledger')]),
        ...idempotency,
        ...keyWrite,
      ],
      topUpRecordOutcome: [
        ...tableWrite('payments'),
        ...grants(['sqs:SendMessage'], [queueArn('notification')]),
        ...keyWrite,
      ],
      apiTopUpSubmit: [
        // The wallet's owner record; the top-up record: read, create once, record its event.
        ...grants(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [tableArn('payments')]),
        ...keyWrite,
        ...grants(['events:PutEvents'], [busArn]),
      ],
      apiTopUpRead: [
        ...grants(['dynamodb:GetItem'], [tableArn('payments')]),
        ...grants(['kms:Decrypt'], [keyArn]),
      ],
      // The refund intake: its queue and DLQ, the refund saga on its alias, the payment and refund record,
      // RefundRejected on the bus.
      refundIntake: [
        ...grants(
          ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
          [queueArn('refundIntake')],
        ),
        ...grants(['sqs:SendMessage'], [queueArn('refundIntakeDlq')]),
        ...keyWrite,
        ...grants(['states:StartExecution'], [refundStateMachineArn]),
        ...grants(['states:DescribeExecution'], [refundExecutionsArn]),
        // core/refunds/request.ts: the payment and the refund record (GetItem), the request once (a conditional put).
        ...grants(['dynamodb:GetItem', 'dynamodb:PutItem'], [tableArn('payments')]),
        ...grants(['events:PutEvents'], [busArn]),
      ],
      // The refund steps: single payment-table items (reservation, refund record), no idempotency table.
      refundReserve: [...refundItems, ...keyWrite],
      refundAtGateway: [...gatewayRead, ...refundItems, ...keyWrite],
      refundPostReversal: [...tableWrite('ledger'), ...refundItems, ...keyWrite],
      refundRelease: [...refundItems, ...keyWrite],
      refundRecordOutcome: [
        ...refundItems,
        ...grants(['sqs:SendMessage'], [queueArn('notification')]),
        ...keyWrite,
      ],
      apiRefunds: [
        // Its API request record (ownership), the payment and the refund record: read, create once; RefundRequested.
        ...grants(['dynamodb:GetItem', 'dynamodb:PutItem'], [tableArn('payments')]),
        ...keyWrite,
        ...grants(['events:PutEvents'], [busArn]),
      ],
      // Webhook endpoints (pk WEBHOOK#ENDPOINTS): read, list, create once, rotate, delete; secrets encrypted.
      apiWebhooks: [
        ...grants(
          [
            'dynamodb:GetItem',
            'dynamodb:Query',
            'dynamodb:PutItem',
            'dynamodb:UpdateItem',
            'dynamodb:DeleteItem',
          ],
          [tableArn('payments')],
        ),
        ...grants(['kms:Encrypt'], [keyArn]),
        ...keyWrite,
      ],
      // The notification queue's consumer: the outcome's client, its endpoints; one delivery message each.
      webhookFanout: [
        ...grants(
          ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
          [queueArn('notification')],
        ),
        ...grants(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem'], [tableArn('payments')]),
        ...grants(['sqs:SendMessage'], [queueArn('webhookDelivery')]),
        ...keyWrite,
      ],
      // One signed attempt per message: event, endpoint, delivery log, endpoint health and slots; requeue or dead-letter.
      webhookDeliver: [
        ...grants(
          ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
          [queueArn('webhookDelivery')],
        ),
        ...grants(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [tableArn('payments')]),
        ...grants(['sqs:SendMessage'], [queueArn('webhookDelivery'), queueArn('webhookDlq')]),
        ...keyWrite,
      ],
      // The expired-hold sweeper: the expiry index, the wallet and its journal; the saga's state per hold.
      sweepHolds: [
        ...tableWrite('ledger'),
        ...grants(['states:DescribeExecution'], [executionsArn]),
        ...keyWrite,
      ],
      // The archive object written once (read back when already there), its pointer, the TTL of the payment's items.
      archiveHistory: [
        ...grants(['states:GetExecutionHistory'], [executionsArn, refundExecutionsArn]),
        ...grants(['s3:PutObject', 's3:GetObject'], [historyObjectsArn]),
        ...grants(
          ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          [tableArn('payments'), indexArn('payments')],
        ),
        ...tableRead('ledger'),
        ...keyWrite,
      ],
      // Reads uploads, writes results; puts rows and BatchImported; reads payments, writes its own items.
      importCsv: [
        ...grants(['s3:GetObject'], [`${importBucketArn}/incoming/*`]),
        ...grants(['s3:PutObject'], [`${importBucketArn}/results/*`]),
        ...grants(['events:PutEvents'], [busArn]),
        ...tableRead('payments'),
        ...grants(['dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'], [tableArn('payments')]),
        ...grants(['sqs:SendMessage'], [importDlqArn]),
        ...keyWrite,
      ],
    };
    const dlqs = [
      queueArn('intakeDlq'),
      queueArn('intakeRuleDlq'),
      queueArn('notificationDlq'),
      queueArn('outboxDlq'),
      queueArn('compensationDlq'),
      queueArn('topUpIntakeDlq'),
      queueArn('webhookDlq'),
    ];
    // Operations and the hosted console also redrive the refund intake DLQ.
    const opsDlqs = [...dlqs, queueArn('refundIntakeDlq')];
    return {
      ...Object.fromEntries(
        FUNCTION_KEYS.map((key) => [`function:${n.functions[key]}`, [...logsAndTraces(key), ...fn[key]]]),
      ),
      [`states:${n.stateMachine}`]: [
        ...grants([...STAR_ONLY_ACTIONS], ['*']),
        ...grants(
          ['lambda:InvokeFunction'],
          FUNCTION_KEYS.filter((key) => FUNCTIONS[key].aslPlaceholder !== undefined).map(functionArn),
        ),
        ...grants(['sqs:SendMessage'], [queueArn('compensationDlq'), queueArn('notificationDlq')]),
        ...keyWrite,
        ...grants(['events:PutEvents'], [busArn]),
      ],
      [`states:${n.topUpStateMachine}`]: [
        ...grants([...STAR_ONLY_ACTIONS], ['*']),
        ...grants(
          ['lambda:InvokeFunction'],
          FUNCTION_KEYS.filter((key) => FUNCTIONS[key].topUpAslPlaceholder !== undefined).map(functionArn),
        ),
        ...grants(['sqs:SendMessage'], [queueArn('compensationDlq')]),
        ...keyWrite,
        ...grants(['events:PutEvents'], [busArn]),
      ],
      // Invokes its five steps; DeadLetterCompensation; the Publish* states put the outcome events.
      [`states:${n.refundStateMachine}`]: [
        ...grants([...STAR_ONLY_ACTIONS], ['*']),
        ...grants(
          ['lambda:InvokeFunction'],
          FUNCTION_KEYS.filter((key) => FUNCTIONS[key].refundAslPlaceholder !== undefined).map(functionArn),
        ),
        ...grants(['sqs:SendMessage'], [queueArn('compensationDlq')]),
        ...keyWrite,
        ...grants(['events:PutEvents'], [busArn]),
      ],
      'role:paysaga-prod-operations': [
        ...grants(
          ['sqs:StartMessageMoveTask', 'sqs:ListMessageMoveTasks', 'sqs:CancelMessageMoveTask'],
          opsDlqs,
        ),
        ...grants(
          [
            'sqs:GetQueueAttributes',
            'sqs:GetQueueUrl',
            'sqs:ReceiveMessage',
            'sqs:DeleteMessage',
            'sqs:ChangeMessageVisibility',
          ],
          opsDlqs,
        ),
        ...grants(
          ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
          [
            queueArn('intake'),
            queueArn('notification'),
            queueArn('topUpIntake'),
            queueArn('refundIntake'),
            queueArn('webhookDelivery'),
          ],
        ),
        ...grants(
          ['states:RedriveExecution', 'states:DescribeExecution', 'states:GetExecutionHistory'],
          [executionsArn, refundExecutionsArn],
        ),
        ...grants(
          ['states:ListExecutions', 'states:DescribeStateMachine'],
          [stateMachineArn, refundStateMachineArn],
        ),
        ...tableRead('payments'),
        // payctl payments resolve / resolve-refund: the gateway (plan and the saga's own refund steps).
        ...grants(['secretsmanager:GetSecretValue'], [secretArn]),
        ...grants(['dynamodb:PutItem', 'dynamodb:UpdateItem'], [tableArn('payments')]),
        // payctl wallets show, statement and adjust.
        ...tableWrite('ledger'),
        ...grants(['events:PutEvents'], [busArn]),
        ...keyWrite,
      ],
      // EventBridge Scheduler's role for the sweeper's schedule: that one function.
      'role:paysaga-prod-sweeper-schedule': grants(['lambda:InvokeFunction'], [functionArn('sweepHolds')]),
      // The hosted console's functions: finance's reads plus peeking DLQs; operations' actions (their roles).
      [`function:${consoleFunctionName(STAGE, 'read')}`]: [
        ...grants(['logs:CreateLogStream', 'logs:PutLogEvents'], [consoleLogsArn('read')]),
        ...grants(['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], ['*']),
        // A payment's history shows its refunds' sagas too.
        ...grants(
          ['states:DescribeExecution', 'states:GetExecutionHistory'],
          [executionsArn, refundExecutionsArn],
        ),
        ...grants(['states:ListExecutions', 'states:DescribeStateMachine'], [stateMachineArn]),
        ...tableRead('payments'),
        ...grants(['s3:GetObject'], [historyObjectsArn]),
        ...grants(['s3:ListBucket'], [historyBucketArn]),
        ...tableRead('ledger'),
        ...grants(
          [
            'sqs:GetQueueAttributes',
            'sqs:GetQueueUrl',
            'sqs:ReceiveMessage',
            'sqs:ChangeMessageVisibility',
            'sqs:ListMessageMoveTasks',
          ],
          opsDlqs,
        ),
        ...grants(['kms:Decrypt'], [keyArn]),
      ],
      [`function:${consoleFunctionName(STAGE, 'act')}`]: [
        ...grants(['logs:CreateLogStream', 'logs:PutLogEvents'], [consoleLogsArn('act')]),
        ...grants(['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], ['*']),
        ...grants(
          ['sqs:StartMessageMoveTask', 'sqs:ListMessageMoveTasks', 'sqs:CancelMessageMoveTask'],
          opsDlqs,
        ),
        ...grants(
          [
            'sqs:GetQueueAttributes',
            'sqs:GetQueueUrl',
            'sqs:ReceiveMessage',
            'sqs:DeleteMessage',
            'sqs:ChangeMessageVisibility',
          ],
          opsDlqs,
        ),
        ...grants(
          ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
          [
            queueArn('intake'),
            queueArn('notification'),
            queueArn('topUpIntake'),
            queueArn('refundIntake'),
            queueArn('webhookDelivery'),
          ],
        ),
        ...grants(
          ['states:RedriveExecution', 'states:DescribeExecution', 'states:GetExecutionHistory'],
          [executionsArn],
        ),
        ...grants(['states:ListExecutions', 'states:DescribeStateMachine'], [stateMachineArn]),
        // payments resolve: its plan asks the gateway for the charge and refunds, RefundCharge refunds there.
        ...gatewayRead,
        ...tableRead('payments'),
        // Audit records and refund requests (puts); resolve's resolution and RefundCharge's refund id (updates).
        ...grants(['dynamodb:PutItem', 'dynamodb:UpdateItem'], [tableArn('payments')]),
        // Wallet adjustments; resolve's ReleaseFunds and settlement reversal.
        ...tableWrite('ledger'),
        // OpsActionPerformed and RefundRequested; a resolved refund's RefundSucceeded / RefundFailed (pinned below).
        ...grants(['events:PutEvents'], [busArn]),
        // The encrypted tables, queues (webhook resend sends to the delivery queue) and gateway secret.
        ...keyWrite,
      ],
      'role:paysaga-prod-finance': [
        // payctl reconcile: the gateway's charges and refunds.
        ...grants(['secretsmanager:GetSecretValue'], [secretArn]),
        // payctl history: a payment's saga and its refunds' sagas.
        ...grants(
          ['states:DescribeExecution', 'states:GetExecutionHistory'],
          [executionsArn, refundExecutionsArn],
        ),
        ...grants(['states:ListExecutions', 'states:DescribeStateMachine'], [stateMachineArn]),
        ...tableRead('payments'),
        // payctl history and report: archived timelines; listing a day's keys, under history/ only (a condition).
        ...grants(['s3:GetObject'], [historyObjectsArn]),
        ...grants(['s3:ListBucket'], [historyBucketArn]),
        // payctl wallets show and statement.
        ...tableRead('ledger'),
        ...grants(['kms:Decrypt'], [keyArn]),
      ],
    };
  };

  it('grants every principal exactly the actions and resources on the expected list', () => {
    // Prepare
    const expected = expectedGrants();
    // Act
    const actual = Object.fromEntries(
      [...byPrincipal].map(([principal, statements]) => [principal, flatten(statements)]),
    );
    // Assess
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    for (const [principal, list] of Object.entries(expected)) {
      expect({ principal, grants: actual[principal] }).toEqual({
        principal,
        grants: [...new Set(list)].sort(),
      });
    }
  });

  it('has no wildcard action and Resource "*" only for actions AWS authorizes on nothing else', () => {
    // Act
    const offending = [...byPrincipal].flatMap(([principal, statements]) =>
      statements
        .filter((s) => s.Effect === 'Allow')
        .flatMap((s) => grants(arrayOf(s.Action), arrayOf(s.Resource)))
        .filter((grant) => {
          const [action = '', resource = ''] = grant.split(' ');
          return (
            action.includes('*') ||
            (resource === '*' && !STAR_ONLY_ACTIONS.has(action) && !STREAM_STAR_ONLY_ACTIONS.has(action))
          );
        })
        .map((grant) => `${principal}: ${grant}`),
    );
    // Assess
    expect(offending).toEqual([]);
  });

  it('attaches no managed policy and no inline policy outside the audited role policies', () => {
    // Act
    const roles = cfn.resourcesOfType('AWS::IAM::Role');
    const managed = roles.filter(([, , role]) => role.Properties?.ManagedPolicyArns !== undefined);
    const inline = roles.filter(([, , role]) => role.Properties?.Policies !== undefined);
    // Assess
    // One per function, operations, finance, and the two state machines (payment and top-up sagas).
    // The functions' roles, the state machines', the team roles and the sweeper schedule's.
    // Plus the hosted console's two functions, and the refund saga's state machine.
    expect(roles.length).toBe(FUNCTION_KEYS.length + 5 + 2 + 1);
    expect(managed.map(([, id]) => id)).toEqual([]);
    expect(inline.map(([, id]) => id)).toEqual([]);
    expect(cfn.resourcesOfType('AWS::IAM::ManagedPolicy')).toEqual([]);
    expect(cfn.resourcesOfType('AWS::IAM::User')).toEqual([]);
  });

  it('lets each role be assumed only by its service or by the principals named in stage config', () => {
    // Prepare
    const config = stageConfig(STAGE);
    const trust = (principal: unknown) => ({
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: principal }],
      Version: '2012-10-17',
    });
    // Act
    const byRole = Object.fromEntries(
      cfn
        .resourcesOfType('AWS::IAM::Role')
        .map(([stack, id, role]) => [
          cfn.physicalName(stack, id),
          cfn.renderDeep(stack, role.Properties?.AssumeRolePolicyDocument),
        ]),
    );
    const services = Object.entries(byRole).filter(([name]) => !name.startsWith('paysaga-'));
    // Assess
    expect(byRole['paysaga-prod-operations']).toEqual(trust(awsPrincipal(config.opsPrincipals)));
    expect(byRole['paysaga-prod-finance']).toEqual(trust(awsPrincipal(config.financePrincipals)));
    expect(byRole['paysaga-prod-sweeper-schedule']).toEqual({
      ...trust({ Service: 'scheduler.amazonaws.com' }),
      Statement: [
        {
          ...trust({ Service: 'scheduler.amazonaws.com' }).Statement[0],
          Condition: { StringEquals: { 'aws:SourceAccount': account } },
        },
      ],
    });
    expect(
      services
        .map(([, doc]) => JSON.stringify((doc as { Statement: Statement[] }).Statement[0]?.Principal))
        .sort(),
    ).toEqual(
      [
        ...FUNCTION_KEYS.map(() => JSON.stringify({ Service: 'lambda.amazonaws.com' })),
        JSON.stringify({ Service: 'states.amazonaws.com' }),
        JSON.stringify({ Service: 'states.amazonaws.com' }),
        JSON.stringify({ Service: 'states.amazonaws.com' }),
      ].sort(),
    );
  });

  it('opens queues, topic and key only to the services that deliver to them, from this app', () => {
    // Prepare
    const resourceStatements = [
      ...cfn
        .resourcesOfType('AWS::SQS::QueuePolicy')
        .map(([stack, , r]) => [stack, r.Properties?.PolicyDocument] as const),
      ...cfn
        .resourcesOfType('AWS::SNS::TopicPolicy')
        .map(([stack, , r]) => [stack, r.Properties?.PolicyDocument] as const),
      ...cfn
        .resourcesOfType('AWS::KMS::Key')
        .map(([stack, , r]) => [stack, r.Properties?.KeyPolicy] as const),
    ].flatMap(([stack, doc]) => (cfn.renderDeep(stack, doc) as { Statement: Statement[] }).Statement);
    // Act
    const allows = resourceStatements
      .filter((s) => s.Effect === 'Allow')
      .map(
        (s) =>
          `${JSON.stringify(s.Principal)} ${arrayOf(s.Action).join(',')} ${arrayOf(s.Resource).join(',')} ${JSON.stringify(s.Condition ?? {})}`,
      )
      .sort();
    const denies = resourceStatements.filter((s) => s.Effect === 'Deny');
    // Assess
    const events = JSON.stringify({ Service: 'events.amazonaws.com' });
    const fromRule = (arn: string) => JSON.stringify({ ArnEquals: { 'aws:SourceArn': arn } });
    expect(allows).toEqual(
      [
        // The account's own key policy entry: lets IAM policies grant use of the key (AWS's default key policy).
        `${JSON.stringify({ AWS: accountRoot })} kms:* * {}`,
        // Added by CDK for the secret: again the account itself, so IAM still decides, and only via Secrets Manager.
        `${JSON.stringify({ AWS: accountRoot })} kms:Decrypt,kms:Encrypt,kms:ReEncrypt*,kms:GenerateDataKey* * ${JSON.stringify({ StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } })}`,
        `${JSON.stringify({ AWS: accountRoot })} kms:CreateGrant,kms:DescribeKey * ${JSON.stringify({ StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } })}`,
        `${events} kms:Decrypt,kms:GenerateDataKey * ${fromRule(ruleArn)}`,
        `${JSON.stringify({ Service: 'cloudwatch.amazonaws.com' })} kms:Decrypt,kms:GenerateDataKey * ${JSON.stringify({ StringEquals: { 'aws:SourceAccount': account } })}`,
        `${events} sqs:SendMessage ${queueArn('intake')} ${fromRule(ruleArn)}`,
        `${events} sqs:SendMessage ${queueArn('intakeRuleDlq')} ${fromRule(ruleArn)}`,
        // The TopUpRequested rule: the top-up intake queue, its DLQ as the rule's DLQ, and the key for both.
        `${events} kms:Decrypt,kms:GenerateDataKey * ${fromRule(topUpRuleArn)}`,
        `${events} sqs:SendMessage ${queueArn('topUpIntake')} ${fromRule(topUpRuleArn)}`,
        `${events} sqs:SendMessage ${queueArn('topUpIntakeDlq')} ${fromRule(topUpRuleArn)}`,
        // The RefundRequested rule: the refund intake queue, its DLQ as the rule's DLQ, and the key for both.
        `${events} kms:Decrypt,kms:GenerateDataKey * ${fromRule(refundRuleArn)}`,
        `${events} sqs:SendMessage ${queueArn('refundIntake')} ${fromRule(refundRuleArn)}`,
        `${events} sqs:SendMessage ${queueArn('refundIntakeDlq')} ${fromRule(refundRuleArn)}`,
      ].sort(),
    );
    for (const deny of denies) expect(deny.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
    // Lambda's resource policies: only EventBridge, only from the saga-ended rule, only the archiver.
    // ... and API Gateway, only from this API's stage, only the route's method and path, only its function.
    const executeApiOf = (stack: string) => {
      const restApi = cfn.resourcesOfType('AWS::ApiGateway::RestApi').find(([s]) => s === stack);
      if (!restApi) throw new Error(`no REST API in ${stack}`);
      return `arn:aws:execute-api:${region}:${account}:${cfn.render(restApi[0], { Ref: restApi[1] })}/${STAGE}`;
    };
    const executeApi = executeApiOf('Api');
    const consoleExecuteApi = executeApiOf('Console');
    const invokePermissions = cfn
      .resourcesOfType('AWS::Lambda::Permission')
      .map(([stack, , p]) => JSON.stringify(cfn.renderDeep(stack, p.Properties)));
    expect(invokePermissions.sort()).toEqual(
      [
        {
          Action: 'lambda:InvokeFunction',
          FunctionName: functionArn('archiveHistory'),
          Principal: 'events.amazonaws.com',
          SourceArn: `arn:aws:events:${region}:${account}:rule/default/${resourceNames(STAGE).sagaEndedRule}`,
        },
        // The imports bucket's ObjectCreated notifications, from this account's bucket only.
        {
          Action: 'lambda:InvokeFunction',
          FunctionName: functionArn('importCsv'),
          Principal: 's3.amazonaws.com',
          SourceAccount: account,
          SourceArn: importBucketArn,
        },
        ...Object.values(API.routes).map((route) => ({
          Action: 'lambda:InvokeFunction',
          FunctionName: functionArn(route.function),
          Principal: 'apigateway.amazonaws.com',
          SourceArn: `${executeApi}/${route.method}${route.path.replace(/\{\w+\}/g, '*')}`,
        })),
        // The hosted console's API: reads (and the public sign-in settings) to its read function, POSTs and
        // the actions' plans (GET .../resolve, GET .../plan: core/config/console.ts) to act, on every resource.
        ...[
          ['read', 'GET', `/${CONSOLE_CONFIG_FILE}`] as const,
          ...['/api/*', '/api/payments', '/api/payments/*', '/api/payments/*/*']
            .concat(['/api/dlqs', '/api/dlqs/*', '/api/dlqs/*/*'])
            .flatMap((path) => [['read', 'GET', path] as const, ['act', 'POST', path] as const]),
          ...['/api/payments/*/resolve', '/api/payments/*/resolve-refund', '/api/dlqs/*/plan'].flatMap(
            (path) => [['act', 'GET', path] as const, ['act', 'POST', path] as const],
          ),
        ].map(([access, method, path]) => ({
          Action: 'lambda:InvokeFunction',
          FunctionName: `arn:aws:lambda:${region}:${account}:function:${consoleFunctionName(STAGE, access)}`,
          Principal: 'apigateway.amazonaws.com',
          SourceArn: `${consoleExecuteApi}/${method}${path}`,
        })),
      ]
        .map((permission) => JSON.stringify(permission))
        .sort(),
    );
    // One TLS-only deny per queue (names.ts's and the import DLQ) and the topic's.
    expect(denies.length).toBe(Object.keys(n.queues).length + 2);
  });

  it('lets api-submit put only PaymentRequested, only under the sources of the configured API clients', () => {
    // Prepare
    const sources = stageConfig(STAGE).apiClients.map((client) => client.source);
    // Act
    const putEvents = (byPrincipal.get(`function:${n.functions.apiSubmit}`) ?? []).filter((s) =>
      arrayOf(s.Action).includes('events:PutEvents'),
    );
    // Assess
    expect(sources.length).toBeGreaterThan(0);
    expect(putEvents).toEqual([
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: busArn,
        Condition: { StringEquals: { 'events:source': sources, 'events:detail-type': 'PaymentRequested' } },
      },
    ]);
  });

  it('lets the import function put only PaymentRequested (producer sources) and BatchImported (paysaga.saga)', () => {
    // Prepare
    const sources = stageConfig(STAGE).eventProducers.flatMap((producer) => producer.sources);
    // Act
    const putEvents = (byPrincipal.get(`function:${n.functions.importCsv}`) ?? []).filter((s) =>
      arrayOf(s.Action).includes('events:PutEvents'),
    );
    // Assess
    expect(putEvents).toEqual([
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: busArn,
        Condition: {
          StringEquals: {
            'events:detail-type': ['PaymentRequested', 'BatchImported'],
            'events:source': [...sources, PAYSAGA_SOURCE],
          },
        },
      },
    ]);
  });

  it('lets api-refunds put only RefundRequested, only under the sources of the configured API clients', () => {
    // Prepare
    const sources = stageConfig(STAGE).apiClients.map((client) => client.source);
    // Act
    const putEvents = (byPrincipal.get(`function:${n.functions.apiRefunds}`) ?? []).filter((s) =>
      arrayOf(s.Action).includes('events:PutEvents'),
    );
    // Assess
    expect(putEvents).toEqual([
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: busArn,
        Condition: { StringEquals: { 'events:source': sources, 'events:detail-type': 'RefundRequested' } },
      },
    ]);
  });

  it("lets the hosted console act function put only OpsActionPerformed and RefundRequested under paysaga.ops, and a resolved refund's RefundSucceeded / RefundFailed under paysaga.saga", () => {
    // Act
    const putEvents = (byPrincipal.get(`function:${consoleFunctionName(STAGE, 'act')}`) ?? []).filter((s) =>
      arrayOf(s.Action).includes('events:PutEvents'),
    );
    // Assess
    expect(putEvents).toEqual([
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: busArn,
        Condition: {
          StringEquals: {
            'events:source': PAYSAGA_OPS_SOURCE,
            'events:detail-type': ['OpsActionPerformed', 'RefundRequested'],
          },
        },
      },
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: busArn,
        Condition: {
          StringEquals: {
            'events:source': PAYSAGA_SOURCE,
            'events:detail-type': ['RefundSucceeded', 'RefundFailed'],
          },
        },
      },
    ]);
  });
});

describe.each(['prod', 'dev'])('Bus resource policy (stage %s)', (stage) => {
  const config = stageConfig(stage);
  const names = resourceNames(stage);
  const stageBusArn = `arn:aws:events:${region}:${account}:event-bus/${names.eventBus}`;
  const operationsRoleArn = `arn:aws:iam::${account}:role/${roleName(stage, 'operations')}`;
  let statements: Statement[];
  let policyResources: { stack: string; id: string; busName: string; dependsOn: string[] }[];
  let busPolicyProperty: unknown;
  const roleArnOf = {
    intake: '',
    apiSubmit: '',
    publishOutbox: '',
    importCsv: '',
    saga: '',
    topUpSaga: '',
    refundIntake: '',
    apiRefunds: '',
    refundSaga: '',
  };

  beforeAll(async () => {
    const cfn = await synthesizeCfnApp(stage);
    const policies = cfn.resourcesOfType('AWS::Events::EventBusPolicy');
    statements = policies.map(([s, , p]) => cfn.renderDeep(s, p.Properties?.Statement) as Statement);
    policyResources = policies.map(([s, id, p]) => ({
      stack: s,
      id,
      busName: cfn.render(s, p.Properties?.EventBusName),
      dependsOn: (p as { DependsOn?: string[] }).DependsOn ?? [],
    }));
    busPolicyProperty = cfn
      .resourcesOfType('AWS::Events::EventBus')
      .map(([, , bus]) => bus.Properties?.Policy);
    const functionRole = (
      key: 'intake' | 'apiSubmit' | 'publishOutbox' | 'refundIntake' | 'apiRefunds' | 'importCsv',
    ) => {
      const fn = cfn
        .resourcesOfType('AWS::Lambda::Function')
        .find(([s, , f]) => cfn.render(s, f.Properties?.FunctionName) === names.functions[key]);
      if (!fn) throw new Error(`no ${key} function`);
      return cfn.render(fn[0], fn[2].Properties?.Role);
    };
    roleArnOf.intake = functionRole('intake');
    roleArnOf.apiSubmit = functionRole('apiSubmit');
    roleArnOf.publishOutbox = functionRole('publishOutbox');
    roleArnOf.importCsv = functionRole('importCsv');
    roleArnOf.refundIntake = functionRole('refundIntake');
    roleArnOf.apiRefunds = functionRole('apiRefunds');
    const machineRole = (name: string) => {
      const [stack, , sm] =
        cfn
          .resourcesOfType('AWS::StepFunctions::StateMachine')
          .find(([s, , m]) => cfn.render(s, m.Properties?.StateMachineName) === name) ?? [];
      if (!stack || !sm) throw new Error(`no state machine ${name}`);
      return cfn.render(stack, sm.Properties?.RoleArn);
    };
    roleArnOf.saga = machineRole(names.stateMachine);
    roleArnOf.topUpSaga = machineRole(names.topUpStateMachine);
    roleArnOf.refundSaga = machineRole(names.refundStateMachine);
  });

  it('is a chain of statement resources on the paysaga bus, each after the previous (no lost concurrent write)', () => {
    // Assess
    expect(busPolicyProperty).toEqual([undefined]);
    expect(policyResources.every((p) => p.busName === names.eventBus)).toBe(true);
    expect(policyResources.map((p) => p.dependsOn)).toEqual(
      policyResources.map((_p, i) => (i === 0 ? [] : [policyResources[i - 1]?.id])),
    );
  });

  it('allows each configured producer to put PaymentRequested under its own sources only', () => {
    // Act
    const allows = statements.filter((s) => s.Effect === 'Allow');
    // Assess
    expect(config.eventProducers.length).toBeGreaterThan(0);
    expect(allows).toEqual(
      config.eventProducers.map((producer) =>
        expect.objectContaining({
          Principal: { AWS: producer.principal },
          Action: 'events:PutEvents',
          Resource: stageBusArn,
          Condition: {
            StringEquals: {
              'events:source': [...producer.sources],
              'events:detail-type': 'PaymentRequested',
            },
          },
        }),
      ),
    );
  });

  it('denies PaymentRequested to every principal but the producers and the api-submit role', () => {
    // Act
    const deny = statements.find(
      (s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('"PaymentRequested"'),
    );
    // Assess
    expect(deny).toEqual(
      expect.objectContaining({
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Resource: stageBusArn,
        Condition: {
          StringEquals: { 'events:detail-type': 'PaymentRequested' },
          ArnNotEquals: {
            'aws:PrincipalArn': [
              ...config.eventProducers.map((p) => p.principal),
              roleArnOf.apiSubmit,
              roleArnOf.publishOutbox,
              roleArnOf.importCsv,
            ],
          },
        },
      }),
    );
  });

  it('denies RefundRequested to every principal but the api-refunds role, operations and the console act role', () => {
    // Act
    const deny = statements.find(
      (s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('"RefundRequested"'),
    );
    // Assess
    expect(deny).toEqual(
      expect.objectContaining({
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Resource: stageBusArn,
        Condition: {
          StringEquals: { 'events:detail-type': 'RefundRequested' },
          ArnNotEquals: {
            'aws:PrincipalArn': [
              roleArnOf.apiRefunds,
              operationsRoleArn,
              `arn:aws:iam::${account}:role/${consoleRoleName(stage, 'act')}`,
            ],
          },
        },
      }),
    );
  });

  it('denies paysaga.* sources to every principal but the intakes, the sagas and operations', () => {
    // Act
    const deny = statements.find(
      (s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('"events:source"'),
    );
    // Assess
    expect(PAYSAGA_SOURCE.startsWith('paysaga.') && PAYSAGA_OPS_SOURCE.startsWith('paysaga.')).toBe(true);
    expect(deny).toEqual(
      expect.objectContaining({
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Resource: stageBusArn,
        Condition: {
          StringLike: { 'events:source': 'paysaga.*' },
          ArnNotEquals: {
            'aws:PrincipalArn': [
              roleArnOf.intake,
              roleArnOf.saga,
              roleArnOf.topUpSaga,
              roleArnOf.importCsv,
              roleArnOf.refundIntake,
              roleArnOf.refundSaga,
              operationsRoleArn,
              `arn:aws:iam::${account}:role/${consoleRoleName(stage, 'act')}`,
            ],
          },
        },
      }),
    );
    for (const arn of Object.values(roleArnOf)) expect(arn).toMatch(/^arn:aws:iam::\d{12}:role\/./);
  });

  it('has no other statement, and none allows every principal', () => {
    // Act
    const openAllows = statements.filter(
      (s) => s.Effect === 'Allow' && JSON.stringify(s.Principal ?? {}).includes('"*"'),
    );
    // Assess
    expect(openAllows).toEqual([]);
    expect(statements).toHaveLength(config.eventProducers.length + 3);
    for (const s of statements) expect(s.Action).toBe('events:PutEvents');
  });
});
