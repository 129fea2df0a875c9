/**
 * Fuzzed input against the intake (issue 8): generated valid, boundary and
 * hostile PaymentRequested cases go through the real PutEvents API and straight
 * onto the intake queue of an in-process runtime. Every case must end as its
 * generator says — a saga named by its paymentId, a rejection in the intake DLQ
 * with its reasonCode and a PaymentRejected event, or a refusal by the API with
 * an error code — with no crash, no stuck message, and no card number or
 * gateway key in any log line or stored copy.
 *
 *   npx vitest run test/e2e/fuzz-intake.test.ts            (FUZZ_SEED, FUZZ_CASES override)
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { DescribeExecutionCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dlqCopy } from '../../core/intake/dlq-copy';
import { DETAIL_TYPES, PAYSAGA_SOURCE } from '../../events/envelope';
import type { BusEvent } from '../../local/events/eventbridge-service';
import {
  type BodyCase,
  bodyFor,
  caseIds,
  DETAIL_CATEGORIES,
  detailCaseArbitrary,
  ENVELOPE_CATEGORIES,
  type EntryCase,
  entryFor,
  hostileBodyArbitrary,
  hostileEntryArbitrary,
  leakedPan,
} from '../helpers/arbitraries/payment-requested';
import { type CapturedOutput, captureOutput } from '../helpers/fuzz/capture-output';
import { type FuzzCase, type Outcome, putEntries, sendBodies } from '../helpers/fuzz/send';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_122);
const CASES = Number(process.env.FUZZ_CASES ?? 2_000);
const DRAIN_BOUND_MS = 90_000;

let runtime: TestRuntime;
let clients: ReturnType<typeof sdkClients>;
let output: CapturedOutput;
const rejectedEvents: BusEvent[] = [];

beforeAll(async () => {
  // Every handler log line is captured and scanned, so log everything handlers would log on AWS at INFO.
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  output = captureOutput();
  runtime = await startTestRuntime({});
  clients = sdkClients(runtime);
  runtime.internals.events.putRule({
    name: 'fuzz-capture-rejections',
    eventBusName: runtime.names.eventBus,
    pattern: { source: [PAYSAGA_SOURCE], 'detail-type': [DETAIL_TYPES.paymentRejected] },
    targets: [
      {
        id: 'capture',
        arn: 'local:capture',
        synchronous: true,
        deliver: async (e) => void rejectedEvents.push(e),
      },
    ],
  });
}, 120_000);

afterAll(async () => {
  output?.restore();
  await runtime?.dispose();
});

/** The corpus: detail cases through either door, plus hostile entries and hostile raw bodies. */
function corpus(): FuzzCase[] {
  const ids = caseIds();
  const viaEither = fc
    .tuple(detailCaseArbitrary(ids, 0.04), fc.boolean())
    .map<FuzzCase>(([c, viaQueue]) =>
      viaQueue ? { via: 'queue', case: bodyFor(c) } : { via: 'putEvents', case: entryFor(c) },
    );
  const arbitrary = fc.oneof(
    { weight: 70, arbitrary: viaEither },
    {
      weight: 15,
      arbitrary: hostileEntryArbitrary(ids).map<FuzzCase>((c) => ({ via: 'putEvents', case: c })),
    },
    { weight: 15, arbitrary: hostileBodyArbitrary(ids).map<FuzzCase>((c) => ({ via: 'queue', case: c })) },
  );
  return fc.sample(arbitrary, { numRuns: CASES, seed: SEED });
}

async function queueDepth(queueName: string): Promise<number> {
  const { Attributes = {} } = await clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: runtime.internals.sqs.queueUrl(queueName),
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible)
  );
}

interface StoredMessage {
  readonly body: string;
  readonly attributes: Record<string, string>;
}

/** Everything in a queue, each message received once (kept invisible until the test ends). */
async function drainQueue(queueName: string): Promise<StoredMessage[]> {
  const messages: StoredMessage[] = [];
  for (let empty = 0; empty < 2; ) {
    const { Messages = [] } = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: runtime.internals.sqs.queueUrl(queueName),
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 3_600,
        MessageAttributeNames: ['All'],
      }),
    );
    empty = Messages.length === 0 ? empty + 1 : 0;
    for (const m of Messages) {
      const attributes = Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue ?? '']),
      );
      messages.push({ body: m.Body ?? '', attributes });
    }
  }
  return messages;
}

/** Started executions by name: ARN and status. */
async function executions(): Promise<Map<string, { arn: string; status: string }>> {
  const names = new Map<string, { arn: string; status: string }>();
  let nextToken: string | undefined;
  do {
    const page = await clients.sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: runtime.internals.saga.stateMachineArn,
        maxResults: 1000,
        ...(nextToken && { nextToken }),
      }),
    );
    for (const e of page.executions ?? [])
      if (e.name && e.executionArn) names.set(e.name, { arn: e.executionArn, status: e.status ?? '' });
    nextToken = page.nextToken;
  } while (nextToken);
  return names;
}

const count = <T>(items: readonly T[], key: (item: T) => string) =>
  items.reduce<Record<string, number>>((acc, item) => {
    acc[key(item)] = (acc[key(item)] ?? 0) + 1;
    return acc;
  }, {});

/**
 * Finds the DLQ message of a case and claims it: by the EventBridge event id for what went through
 * PutEvents, by the stored body (the original with card numbers masked) for what went onto the queue.
 */
function dlqIndex(messages: readonly StoredMessage[]) {
  const byBody = new Map<string, StoredMessage[]>();
  const byEventId = new Map<string, StoredMessage>();
  for (const m of messages) {
    byBody.set(m.body, [...(byBody.get(m.body) ?? []), m]);
    const id = eventIdOf(m.body);
    if (id !== undefined) byEventId.set(id, m);
  }
  const claimed = new Set<StoredMessage>();
  const claim = (m: StoredMessage | undefined) => {
    if (m === undefined || claimed.has(m)) return undefined;
    claimed.add(m);
    return m;
  };
  return {
    forBody: (body: string) => {
      const byId = eventIdOf(body);
      const masked = dlqCopy(body, 0).body;
      return (
        (byId !== undefined ? claim(byEventId.get(byId)) : undefined) ??
        claim(byBody.get(masked)?.find((m) => !claimed.has(m))) ??
        claim(
          messages.find(
            (m) => !claimed.has(m) && m.attributes.truncatedFromBytes && masked.startsWith(m.body),
          ),
        )
      );
    },
    forEventId: (eventId: string | undefined) =>
      eventId === undefined ? undefined : claim(byEventId.get(eventId)),
    unclaimed: () => messages.filter((m) => !claimed.has(m)),
  };
}

function eventIdOf(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

const LEGITIMATE_REFUSALS = new Set([
  'ValidationException',
  'InvalidArgument',
  'MalformedDetail',
  'NotAuthorizedForSourceException',
  'InvalidMessageContents',
  'InvalidParameterValue',
]);

describe('Fuzzed input: PaymentRequested through PutEvents and onto the intake queue', () => {
  it(`${CASES} generated cases each end as expected, with no crash, no stuck message and no card data in any log`, async () => {
    // Prepare
    const started = Date.now();
    const cases = corpus();
    const { SecretString = '{}' } = await clients.secrets.send(
      new GetSecretValueCommand({ SecretId: runtime.names.gatewaySecret }),
    );
    const apiKey = (JSON.parse(SecretString) as { apiKey: string }).apiKey;
    const bus = runtime.names.eventBus;
    const intakeUrl = runtime.internals.sqs.queueUrl(runtime.names.queues.intake);

    // Act
    const sent = Date.now();
    const entryCases = cases.filter((c) => c.via === 'putEvents').map((c) => c.case as EntryCase);
    const bodyCases = cases.filter((c) => c.via === 'queue').map((c) => c.case as BodyCase);
    const [entryOutcomes, bodyOutcomes] = await Promise.all([
      putEntries(clients.events, bus, entryCases),
      sendBodies(clients.sqs, intakeUrl, bodyCases),
    ]);
    const sendMs = Date.now() - sent;
    await waitFor(
      'the intake queue to drain (no visible and no in-flight message)',
      async () => ((await queueDepth(runtime.names.queues.intake)) === 0 ? true : undefined),
      DRAIN_BOUND_MS,
    );
    await runtime.internals.events.drain();
    const drainedMs = Date.now() - sent;
    const dlq = await drainQueue(runtime.names.queues.intakeDlq);
    const ruleDlq = await drainQueue(runtime.names.queues.intakeRuleDlq);
    // Let the sagas end, so every line their steps log is captured and scanned too.
    const sagas = await waitFor(
      'every started saga to end',
      async () => {
        const all = await executions();
        return [...all.values()].every((e) => e.status !== 'RUNNING') ? all : undefined;
      },
      DRAIN_BOUND_MS,
    );
    await runtime.internals.events.drain();
    output.restore();

    // Assess: every case ended as its generator said
    const failures: string[] = [];
    const index = dlqIndex(dlq);
    const outcomes: Outcome[] = [...entryOutcomes, ...bodyOutcomes];
    const ended: Record<string, number> = {};
    const startedCases: Array<{ paymentId: string; json: string }> = [];
    for (const outcome of outcomes) {
      const c = outcome.case;
      const what = `${outcome.via} ${c.category}: ${c.label} (expect ${c.expect})`;
      let end: string;
      if (!outcome.accepted) {
        end = 'refused';
        if (!LEGITIMATE_REFUSALS.has(outcome.code.replace(/^.*\./, '')))
          failures.push(`${what}: refused with ${outcome.code}`);
        else if (c.expect === 'start' || c.expect === 'unrouted')
          failures.push(`${what}: refused with ${outcome.code} ${outcome.message}`);
      } else if (c.expect === 'refused') {
        end = 'accepted';
        failures.push(`${what}: accepted, should have been refused`);
      } else {
        const parked = 'body' in c ? index.forBody(c.body) : index.forEventId(outcome.eventId);
        const saga = c.paymentId !== undefined ? sagas.get(c.paymentId) : undefined;
        if (c.expect === 'start') {
          end = 'saga';
          if (!saga)
            failures.push(
              `${what}: no saga (${parked ? `rejected: ${parked.attributes.reason}` : 'not rejected'})`,
            );
          else if (c.paymentId !== undefined)
            startedCases.push({ paymentId: c.paymentId, json: detailJsonOf(c) });
        } else if (c.expect === 'unrouted') {
          end = 'unrouted';
          if (parked) failures.push(`${what}: reached intake`);
        } else {
          end = 'dlq';
          if (!parked) failures.push(`${what}: not in the intake DLQ`);
          else {
            if (parked.attributes.reasonCode !== c.expect)
              failures.push(
                `${what}: reasonCode ${parked.attributes.reasonCode}: ${parked.attributes.reason}`,
              );
            if (!parked.attributes.reason) failures.push(`${what}: no reason`);
            if (!parked.attributes.rejectedAt) failures.push(`${what}: no rejectedAt`);
          }
          if (saga && c.paymentId !== undefined) failures.push(`${what}: a saga started`);
        }
      }
      ended[end] = (ended[end] ?? 0) + 1;
    }
    // Sagas carry the request as sent: nothing silently dropped or changed on the way.
    for (const { paymentId, json } of startedCases) {
      const described = await clients.sfn.send(
        new DescribeExecutionCommand({ executionArn: sagas.get(paymentId)?.arn }),
      );
      const payment = (JSON.parse(described.input ?? '{}') as { payment?: unknown }).payment;
      if (JSON.stringify(payment) !== JSON.stringify(sortKeys(JSON.parse(json))))
        failures.push(`saga ${paymentId}: input differs from the request`);
    }
    const expectedSagas = outcomes.filter((o) => o.accepted && o.case.expect === 'start').length;

    // Assess: leaks — no generated card number and no gateway key anywhere anything was written
    const pans = new Set(cases.flatMap((c) => c.case.pans));
    const places: Array<[string, string]> = [
      ...output.lines.map((line, i): [string, string] => [`output line ${i}`, line]),
      ...runtime.log.lines.map((line, i): [string, string] => [
        `runtime log line ${i}`,
        JSON.stringify(line),
      ]),
      ...dlq.map((m, i): [string, string] => [
        `intake DLQ message ${i}`,
        `${m.body} ${JSON.stringify(m.attributes)}`,
      ]),
      ...ruleDlq.map((m, i): [string, string] => [
        `rule DLQ message ${i}`,
        `${m.body} ${JSON.stringify(m.attributes)}`,
      ]),
      ...rejectedEvents.map((e, i): [string, string] => [`PaymentRejected ${i}`, JSON.stringify(e)]),
    ];
    const leaks = places.flatMap(([where, text]) => {
      const pan = leakedPan(text, pans);
      return [
        ...(pan ? [`${where} holds a generated PAN ending ${pan.slice(-4)}`] : []),
        ...(text.includes(apiKey) ? [`${where} holds the gateway api key`] : []),
      ];
    });

    const summary = {
      seed: SEED,
      cases: CASES,
      wallMs: Date.now() - started,
      sendMs,
      drainedMs,
      byCategory: count(cases, (c) => c.case.category),
      byTransport: count(cases, (c) => c.via),
      byExpectation: count(cases, (c) => c.case.expect),
      ended,
      dlqMessages: dlq.length,
      dlqByReasonCode: count(dlq, (m) => m.attributes.reasonCode ?? '(none)'),
      paymentRejectedEvents: rejectedEvents.length,
      sagasStarted: sagas.size,
      sagasByStatus: count([...sagas.values()], (e) => e.status),
      pansGenerated: pans.size,
      linesScanned: places.length,
      firstErrors: runtime.log.lines.filter((line) => line.level === 'ERROR').slice(0, 3),
    };
    process.stdout.write(`\nfuzz-intake summary ${JSON.stringify(summary, null, 2)}\n`);

    // Assess
    expect(failures.slice(0, 40), `${failures.length} cases ended wrong`).toEqual([]);
    expect(leaks.slice(0, 40)).toEqual([]);
    // no crash: no error line from the runtime, the intake poller or a handler
    const errorLines = [
      ...runtime.log.lines.filter((line) => line.level === 'ERROR').map((line) => JSON.stringify(line)),
      ...output.lines.filter((line) =>
        /"level":"ERROR"|intake batch failed|Unhandled|TypeError|RangeError/.test(line),
      ),
    ];
    expect(errorLines.slice(0, 10)).toEqual([]);
    expect(ruleDlq).toEqual([]);
    // every DLQ message is a rejection intake made (none moved there by maxReceiveCount), told upstream once
    expect(dlq.filter((m) => !m.attributes.reasonCode || !m.attributes.reason)).toEqual([]);
    expect(index.unclaimed(), 'DLQ messages no case accounts for').toEqual([]);
    expect(rejectedEvents).toHaveLength(dlq.length);
    for (const event of rejectedEvents) expect(String(event.detail.reason ?? '')).not.toBe('');
    expect(sagas.size).toBe(expectedSagas);
    // not vacuous: every category was generated, and both endings happened at scale
    for (const category of [...DETAIL_CATEGORIES, ...ENVELOPE_CATEGORIES])
      expect(summary.byCategory[category] ?? 0, category).toBeGreaterThan(0);
    expect(dlq.length).toBeGreaterThan(CASES * 0.5);
    expect(sagas.size).toBeGreaterThan(CASES * 0.05);
    expect(ended.refused ?? 0).toBeGreaterThan(CASES * 0.02);
    expect(pans.size).toBeGreaterThan(CASES * 0.05);
    // no prototype was polluted in this process
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  }, 600_000);
});

function detailJsonOf(c: EntryCase | BodyCase): string {
  if ('entry' in c) return c.entry.Detail ?? '{}';
  const body = JSON.parse(c.body) as { detail?: unknown };
  return JSON.stringify(body.detail ?? {});
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort())
      Object.defineProperty(sorted, key, {
        value: sortKeys((value as Record<string, unknown>)[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return sorted;
  }
  return value;
}
