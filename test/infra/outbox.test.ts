import { beforeAll, describe, expect, it } from 'vitest';
import { ENV_KEYS } from '../../core/config/env';
import { QUEUES, resourceNames } from '../../core/config/names';
import { OUTBOX } from '../../core/config/outbox';
import { DETAIL_TYPES } from '../../events/envelope';
import { stageConfig } from '../../stacks/stage-config';
import type { CfnApp, CfnResource } from './cfn';
import { synthesizeCfnApp } from './synth-helper';

type Props = Record<string, unknown>;
type Entry = [string, string, CfnResource];
const props = (resource: CfnResource): Props => resource.Properties ?? {};
interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}
const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

describe('front door outbox: stream and consumer (stage prod)', () => {
  const stage = 'prod';
  const n = resourceNames(stage);
  const config = stageConfig(stage);
  let cfn: CfnApp;

  const all = (type: string): Entry[] => cfn.resourcesOfType(type);
  const one = (type: string, predicate: (p: Props) => boolean = () => true): Entry => {
    const matches = all(type).filter(([, , r]) => predicate(props(r)));
    if (matches.length !== 1) throw new Error(`${matches.length} ${type} match`);
    return matches[0] as Entry;
  };
  const rendered = ([stack, , resource]: Entry) => cfn.renderDeep(stack, props(resource)) as Props;
  const table = () => one('AWS::DynamoDB::Table', (p) => p.TableName === n.tables.payments);
  const publisher = () => one('AWS::Lambda::Function', (p) => p.FunctionName === n.functions.publishOutbox);
  beforeAll(async () => {
    cfn = await synthesizeCfnApp(stage);
  });

  /** The one mapping whose function is publish-outbox. */
  const outboxMapping = (): Props => {
    const mappings = all('AWS::Lambda::EventSourceMapping')
      .map(rendered)
      .filter((p) => String(p.FunctionName).includes(n.functions.publishOutbox));
    expect(mappings).toHaveLength(1);
    return mappings[0] as Props;
  };
  const policyOf = (roleLogicalPrefix: string): Statement[] =>
    all('AWS::IAM::Policy')
      .filter(([, id]) => id.startsWith(roleLogicalPrefix))
      .flatMap((entry) => (rendered(entry).PolicyDocument as { Statement: Statement[] }).Statement);

  it('streams NEW_IMAGE from the table holding API#REQUEST records, and from no other table', () => {
    // Act
    const streams = all('AWS::DynamoDB::Table').map((entry) => [
      props(entry[2]).TableName,
      props(entry[2]).StreamSpecification,
    ]);

    // Assess
    expect(Object.fromEntries(streams)).toEqual({
      [n.tables.ledger]: undefined,
      [n.tables.payments]: { StreamViewType: 'NEW_IMAGE' },
      [n.tables.idempotency]: undefined,
    });
    expect(OUTBOX.table).toBe('payments');
  });

  it('maps that stream to publish-outbox, filtered to unpublished request records, bisecting, retrying, then its DLQ', () => {
    // Act
    const esm = outboxMapping();
    const streamArn = (rendered(table()) as Props).TableName;

    // Assess
    expect(String(esm.EventSourceArn)).toContain(`table/${streamArn}/stream`);
    expect(esm).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: OUTBOX.batchSize,
      MaximumBatchingWindowInSeconds: OUTBOX.maxBatchingWindowSeconds,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: OUTBOX.retryAttempts,
      MaximumRecordAgeInSeconds: OUTBOX.maxRecordAgeSeconds,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const filters = (esm.FilterCriteria as { Filters: { Pattern: string }[] }).Filters;
    expect(filters.map((f) => JSON.parse(f.Pattern))).toEqual([
      {
        dynamodb: {
          Keys: { sk: { S: ['API#REQUEST'] } },
          NewImage: { publishedAt: { S: [{ exists: false }] } },
        },
      },
    ]);
    const destination = (esm.DestinationConfig as { OnFailure: { Destination: string } }).OnFailure
      .Destination;
    expect(destination).toContain(`:${n.queues.outboxDlq}`);
    expect(QUEUES.outboxDlq.deadLetter).toBeDefined();
  });

  it('gives publish-outbox the bus and the table, and nothing more', () => {
    // Prepare
    const fn = rendered(publisher());
    const env = (fn.Environment as { Variables: Record<string, string> }).Variables;

    // Act
    const statements = policyOf('PublishOutboxRole');
    const byAction = new Map(statements.flatMap((s) => actionsOf(s).map((action) => [action, s])));

    // Assess
    expect(env[ENV_KEYS.paymentsTable]).toBe(n.tables.payments);
    expect(env[ENV_KEYS.eventBusName]).toBe(n.eventBus);
    expect([...byAction.keys()].sort()).toEqual(
      [
        'dynamodb:DescribeStream',
        'dynamodb:GetItem',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
        'dynamodb:UpdateItem',
        'events:PutEvents',
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'sqs:SendMessage',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
    expect(byAction.get('dynamodb:UpdateItem')?.Resource).toEqual(
      expect.stringContaining(`table/${n.tables.payments}`),
    );
    expect(String(byAction.get('dynamodb:GetRecords')?.Resource)).toMatch(/\/stream\//);
    expect(byAction.get('sqs:SendMessage')?.Resource).toEqual(expect.stringContaining(n.queues.outboxDlq));
    expect(byAction.get('events:PutEvents')?.Condition).toEqual({
      StringEquals: {
        'events:source': config.apiClients.map((client) => client.source),
        'events:detail-type': DETAIL_TYPES.paymentRequested,
      },
    });
  });
});
