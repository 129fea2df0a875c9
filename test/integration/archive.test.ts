import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '../../core/aws/dynamodb';
import { PutObjectCommand } from '../../core/aws/s3';
import type { GetExecutionHistoryCommand, HistoryEvent } from '../../core/aws/sfn';
import { archiveExecution, HistoryNotFinalError } from '../../core/history/archiver';
import { buildTimeline } from '../../core/history/build';
import type { ExecutionStatusChangeEvent } from '../../core/history/status-event';
import { Ledger, LedgerReader } from '../../core/ledger';
import { ArchiveRecordExistsError, ArchiveRefusedError, HistoryArchive } from '../../core/payments/archive';
import { DynamoPaymentLog } from '../../core/payments/payment-log';
import { PaymentsRepository } from '../../core/payments/repository';
import { type LocalDynamo, startDynalite } from '../helpers/dynalite';
import { type LocalS3, startLocalS3 } from '../helpers/s3';

let dynamo: LocalDynamo;
let s3: LocalS3;
/** Every command the archive sent to S3, in order (the real local S3 answers them). */
const sentToS3: unknown[] = [];
let archive: HistoryArchive;
let payments: PaymentsRepository;
let ledger: Ledger;
let reader: LedgerReader;

beforeAll(async () => {
  dynamo = await startDynalite({ prefix: 'archive' });
  s3 = await startLocalS3({ prefix: 'history' });
  const recording = {
    send: (command: unknown) => {
      sentToS3.push(command);
      return s3.client.send(command as PutObjectCommand);
    },
  } as typeof s3.client;
  archive = new HistoryArchive(dynamo.doc, dynamo.tables.payments, { s3: recording, bucket: s3.bucket });
  payments = new PaymentsRepository(dynamo.doc, dynamo.tables.payments);
  ledger = new Ledger({ doc: dynamo.doc, tableName: dynamo.tables.ledger });
  reader = new LedgerReader(dynamo.doc, dynamo.tables.ledger);
});
afterAll(async () => {
  await s3.stop();
  await dynamo.stop();
});

const machine = 'arn:aws:states:us-east-1:000000000000:stateMachine:paysaga-local-payment-saga';
const arnOf = (paymentId: string) => `${machine.replace(':stateMachine:', ':execution:')}:${paymentId}`;

/** A declined payment's history, trimmed: Reserve, Charge declined (caught), ReleaseFunds, Failed (no RecordFailure). */
function declinedHistory(paymentId: string, walletId: string, redriven = false): HistoryEvent[] {
  const at = Date.parse('2026-11-22T10:00:00.000Z');
  const types: Array<[string, Record<string, unknown>?]> = [
    [
      'ExecutionStarted',
      {
        executionStartedEventDetails: {
          input: JSON.stringify({
            payment: { paymentId, walletId, merchantId: 'mer_1', amount: { value: 700, currency: 'EUR' } },
          }),
        },
      },
    ],
    ['TaskStateEntered', { stateEnteredEventDetails: { name: 'Reserve' } }],
    ['LambdaFunctionScheduled'],
    [
      'LambdaFunctionSucceeded',
      {
        lambdaFunctionSucceededEventDetails: {
          output: JSON.stringify({
            holdId: `hold:${walletId}:${paymentId}`,
            walletId,
            amount: 700,
            currency: 'EUR',
            expiresAt: '2026-12-07T00:00:00.000Z',
          }),
        },
      },
    ],
    ['TaskStateExited', { stateExitedEventDetails: { name: 'Reserve' } }],
    ['TaskStateEntered', { stateEnteredEventDetails: { name: 'Charge' } }],
    ['LambdaFunctionScheduled'],
    [
      'LambdaFunctionFailed',
      {
        lambdaFunctionFailedEventDetails: {
          error: 'CardDeclinedError',
          cause: 'declined (reason: card_declined)',
        },
      },
    ],
    ['TaskStateEntered', { stateEnteredEventDetails: { name: 'ReleaseFunds' } }],
    ['LambdaFunctionScheduled'],
    [
      'LambdaFunctionSucceeded',
      {
        lambdaFunctionSucceededEventDetails: {
          output: JSON.stringify({ outcome: 'released', releasedAmount: 700 }),
        },
      },
    ],
    ['TaskStateExited', { stateExitedEventDetails: { name: 'ReleaseFunds' } }],
    ['FailStateEntered', { stateEnteredEventDetails: { name: 'Failed' } }],
    [
      'ExecutionFailed',
      {
        executionFailedEventDetails: {
          error: 'CardDeclinedError',
          cause: 'Charge failed (card_declined): declined',
        },
      },
    ],
    ...(redriven
      ? ([
          ['ExecutionRedriven', { executionRedrivenEventDetails: { redriveCount: 1 } }],
          ['FailStateEntered', { stateEnteredEventDetails: { name: 'Failed' } }],
          [
            'ExecutionFailed',
            { executionFailedEventDetails: { error: 'CardDeclinedError', cause: 'again' } },
          ],
        ] as Array<[string, Record<string, unknown>?]>)
      : []),
  ];
  return types.map(([type, details], i) => ({
    id: i + 1,
    previousEventId: i,
    timestamp: new Date(at + i * 50),
    type: type as HistoryEvent['type'],
    ...details,
  })) as HistoryEvent[];
}

/** Step Functions' GetExecutionHistory over a fixed history, two events per page; ExecutionDoesNotExist once forgotten. */
function fakeStepFunctions(histories: Map<string, HistoryEvent[]>) {
  const calls: Array<{ executionArn?: string; includeExecutionData?: boolean }> = [];
  return {
    calls,
    async send(command: GetExecutionHistoryCommand) {
      const { executionArn = '', nextToken, includeExecutionData } = command.input;
      calls.push({ executionArn, ...(includeExecutionData !== undefined && { includeExecutionData }) });
      const events = histories.get(executionArn);
      if (!events)
        throw Object.assign(new Error(`Execution Does Not Exist: '${executionArn}'`), {
          name: 'ExecutionDoesNotExist',
        });
      const start = Number(nextToken ?? 0);
      const page = events.slice(start, start + 2);
      return { events: page, ...(start + 2 < events.length && { nextToken: String(start + 2) }) };
    },
  } as unknown as { send: (command: unknown) => Promise<never>; calls: typeof calls };
}

async function declinedPayment(requestedAt = '2026-11-22T09:59:59.000Z') {
  const paymentId = `pay_${randomUUID().slice(0, 10)}`;
  const walletId = `wal_${randomUUID().slice(0, 10)}`;
  await ledger.openWallet(walletId, 'EUR');
  await ledger.deposit(walletId, { value: 5000, currency: 'EUR' }, `dep-${walletId}`);
  await ledger.reserve({
    paymentId,
    walletId,
    amount: { value: 700, currency: 'EUR' },
    expiresAt: '2027-01-01T00:00:00.000Z',
  });
  await ledger.release({ paymentId, walletId });
  const log = new DynamoPaymentLog(dynamo.doc, dynamo.tables.payments);
  await log.open(
    {
      schemaVersion: '1',
      paymentId,
      walletId,
      merchantId: 'mer_1',
      amount: { value: 700, currency: 'EUR', exponent: 2 },
      paymentMethod: 'pm_card_chargeDeclined',
      requestedAt,
    },
    arnOf(paymentId),
  );
  await log.advance(paymentId, 'FAILED', {
    reasonCode: 'card_declined',
    reason: 'Charge failed (card_declined): declined',
  });
  return { paymentId, walletId };
}

const statusChange = (paymentId: string, status = 'FAILED'): ExecutionStatusChangeEvent => ({
  source: 'aws.states',
  'detail-type': 'Step Functions Execution Status Change',
  detail: { executionArn: arnOf(paymentId), stateMachineArn: machine, name: paymentId, status },
});

describe('HistoryArchive', () => {
  it('writes a timeline once, accepts the same one again, and refuses a different one', async () => {
    // Prepare
    const { paymentId, walletId } = await declinedPayment();
    const timeline = buildTimeline({
      executionArn: arnOf(paymentId),
      events: declinedHistory(paymentId, walletId),
    });
    // Act
    const first = await archive.put(timeline);
    const again = await archive.put(structuredClone(timeline));
    const rewrite = archive.put({ ...timeline, outcome: { ...timeline.outcome, reason: 'rewritten' } });
    // Assess
    expect(first).toMatchObject({ archiveId: `${paymentId}#0000`, written: true });
    expect(again).toMatchObject({ archiveId: `${paymentId}#0000`, written: false });
    await expect(rewrite).rejects.toThrow(ArchiveRecordExistsError);
    await expect(rewrite).rejects.toThrow(/never rewritten/);
    expect((await archive.latest(paymentId))?.timeline).toEqual(timeline);
  });

  it('keeps one record per run of a redriven execution and answers the latest', async () => {
    // Prepare
    const { paymentId, walletId } = await declinedPayment();
    const firstRun = buildTimeline({
      executionArn: arnOf(paymentId),
      events: declinedHistory(paymentId, walletId),
    });
    const secondRun = buildTimeline({
      executionArn: arnOf(paymentId),
      events: declinedHistory(paymentId, walletId, true),
    });
    // Act
    await archive.put(firstRun);
    await archive.put(secondRun);
    // Assess
    expect((await archive.list(paymentId)).map((a) => a.archiveId)).toEqual([
      `${paymentId}#0000`,
      `${paymentId}#0001`,
    ]);
    expect((await archive.latest(paymentId))?.timeline.redriveCount).toBe(1);
  });

  it('refuses to archive a saga that is still running', async () => {
    // Prepare
    const { paymentId, walletId } = await declinedPayment();
    const running = buildTimeline({
      executionArn: arnOf(paymentId),
      events: declinedHistory(paymentId, walletId).slice(0, 6),
    });
    // Act / Assess
    await expect(archive.put(running)).rejects.toThrow(ArchiveRefusedError);
    expect(await archive.latest(paymentId)).toBeUndefined();
  });
});

describe('HistoryArchive on S3', () => {
  const requestDay = '2026-11-22';

  it('writes each run once as an S3 object keyed by request day and paymentId, Intelligent-Tiering, with a small pointer in the table', async () => {
    // Prepare
    const { paymentId, walletId } = await declinedPayment();
    const timeline = buildTimeline({
      executionArn: arnOf(paymentId),
      events: declinedHistory(paymentId, walletId),
    });
    const payment = await payments.get(paymentId);
    const sentBefore = sentToS3.length;
    // Act
    const result = await archive.put(timeline, payment);
    // Assess
    expect(result.objectKey).toBe(`history/${requestDay}/${paymentId}/run-0000.json`);
    const put = sentToS3.slice(sentBefore).find((c) => c instanceof PutObjectCommand) as PutObjectCommand;
    expect(put.input).toMatchObject({
      Bucket: s3.bucket,
      Key: result.objectKey,
      StorageClass: 'INTELLIGENT_TIERING',
      IfNoneMatch: '*',
    });
    const { Item: pointer } = await dynamo.doc.send(
      new GetCommand({
        TableName: dynamo.tables.payments,
        Key: { pk: `PAYMENT#${paymentId}`, sk: `ARCHIVE#${paymentId}#0000` },
      }),
    );
    expect(pointer).toMatchObject({
      kind: 'archive-pointer',
      bucket: s3.bucket,
      objectKey: result.objectKey,
    });
    expect(pointer).not.toHaveProperty('body');
    expect(JSON.stringify(pointer).length).toBeLessThan(1_000);
    const stored = await archive.latest(paymentId);
    expect(stored?.timeline).toEqual(timeline);
    expect(stored?.payment).toEqual(payment);
  });

  it('archives a timeline larger than a DynamoDB item (the inline archive refused anything over 350 KB)', async () => {
    // Prepare
    const { paymentId, walletId } = await declinedPayment();
    const timeline = buildTimeline({
      executionArn: arnOf(paymentId),
      events: declinedHistory(paymentId, walletId),
    });
    const large = { ...timeline, outcome: { ...timeline.outcome, cause: 'retry '.repeat(80_000) } };
    // Act
    const result = await archive.put(large);
    // Assess
    expect(result.written).toBe(true);
    expect((await archive.latest(paymentId))?.timeline.outcome.cause?.length).toBe(480_000);
  });

  it('never overwrites an object already under the key, even one it did not write', async () => {
    // Prepare
    const { paymentId, walletId } = await declinedPayment();
    const timeline = buildTimeline({
      executionArn: arnOf(paymentId),
      events: declinedHistory(paymentId, walletId),
    });
    const key = `history/${requestDay}/${paymentId}/run-0000.json`;
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: '{"not":"a timeline"}' }));
    // Act
    const attempt = archive.put(timeline, await payments.get(paymentId));
    // Assess
    await expect(attempt).rejects.toThrow(ArchiveRecordExistsError);
    expect(await archive.latest(paymentId)).toBeUndefined();
  });

  it("reads a day's latest run of each payment from S3 alone", async () => {
    // Prepare
    const redriven = await declinedPayment('2026-11-23T08:00:00.000Z');
    const once = await declinedPayment('2026-11-23T09:00:00.000Z');
    for (const events of [
      declinedHistory(redriven.paymentId, redriven.walletId),
      declinedHistory(redriven.paymentId, redriven.walletId, true),
    ]) {
      await archive.put(
        buildTimeline({ executionArn: arnOf(redriven.paymentId), events }),
        await payments.get(redriven.paymentId),
      );
    }
    await archive.put(
      buildTimeline({
        executionArn: arnOf(once.paymentId),
        events: declinedHistory(once.paymentId, once.walletId),
      }),
      await payments.get(once.paymentId),
    );
    // Act
    const day: Array<{ paymentId: string; run: number; status?: string }> = [];
    for await (const archived of archive.latestOfDay('2026-11-23')) {
      day.push({
        paymentId: archived.timeline.paymentId,
        run: archived.timeline.redriveCount,
        status: archived.payment?.status,
      });
    }
    // Assess
    const ours = day.filter((d) => d.paymentId === redriven.paymentId || d.paymentId === once.paymentId);
    expect(ours).toEqual(
      [
        { paymentId: redriven.paymentId, run: 1, status: 'FAILED' },
        { paymentId: once.paymentId, run: 0, status: 'FAILED' },
      ].sort((a, b) => a.paymentId.localeCompare(b.paymentId)),
    );
    expect(new Set(day.map((d) => d.paymentId)).size).toBe(day.length);
  });
});

describe('archiveExecution and the payments TTL', () => {
  const itemOf = async (paymentId: string, sk: string) =>
    (
      await dynamo.doc.send(
        new GetCommand({ TableName: dynamo.tables.payments, Key: { pk: `PAYMENT#${paymentId}`, sk } }),
      )
    ).Item;

  it("lets a settled payment's items expire from the table once archived, never the pointer; a payment not settled keeps them", async () => {
    // Prepare
    const settled = await declinedPayment();
    const unsettled = await declinedPayment();
    const histories = new Map([
      [arnOf(settled.paymentId), declinedHistory(settled.paymentId, settled.walletId)],
      [arnOf(unsettled.paymentId), declinedHistory(unsettled.paymentId, unsettled.walletId)],
    ]);
    const needsAttention = {
      get: async (id: string) => {
        const record = await payments.get(id);
        return id === unsettled.paymentId && record
          ? { ...record, status: 'NEEDS_ATTENTION' as const }
          : record;
      },
    };
    const deps = {
      sfn: fakeStepFunctions(histories),
      payments: needsAttention,
      ledger: reader,
      archive,
      paymentRecordTtlDays: 120,
    };
    const before = Math.floor(Date.now() / 1000);
    // Act
    await archiveExecution(deps, statusChange(settled.paymentId));
    await archiveExecution(deps, statusChange(unsettled.paymentId));
    // Assess
    const record = await itemOf(settled.paymentId, 'PAYMENT');
    expect(record?.expiresAt).toBeGreaterThanOrEqual(before + 120 * 86_400);
    expect(record?.expiresAt).toBeLessThan(before + 120 * 86_400 + 600);
    expect(await itemOf(settled.paymentId, `ARCHIVE#${settled.paymentId}#0000`)).not.toHaveProperty(
      'expiresAt',
    );
    expect(await itemOf(unsettled.paymentId, 'PAYMENT')).not.toHaveProperty('expiresAt');
    expect(await archive.latest(unsettled.paymentId)).toBeDefined();
  });
});

describe('archiveExecution', () => {
  it('archives the timeline with the payment and its journal, reading every history page; a redelivered event changes nothing', async () => {
    // Prepare
    const { paymentId, walletId } = await declinedPayment();
    const sfn = fakeStepFunctions(new Map([[arnOf(paymentId), declinedHistory(paymentId, walletId)]]));
    const deps = { sfn, payments, ledger: reader, archive };
    // Act
    const first = await archiveExecution(deps, statusChange(paymentId));
    const redelivered = await archiveExecution(deps, statusChange(paymentId));
    // Assess
    expect(first).toEqual({ archived: true, archiveId: `${paymentId}#0000`, paymentId });
    expect(redelivered).toMatchObject({ archived: false, reason: 'already_archived' });
    expect(sfn.calls.length).toBe(2 * Math.ceil(declinedHistory(paymentId, walletId).length / 2));
    expect(sfn.calls.every((c) => c.includeExecutionData === true)).toBe(true);
    const stored = (await archive.latest(paymentId))?.timeline;
    expect(stored?.journal.map((e) => e.operation)).toEqual(['reserve', 'release']);
    expect(stored?.steps.find((s) => s.state === 'ReleaseFunds')?.journal).toEqual([`${paymentId}#release`]);
    expect(stored?.outcome).toMatchObject({
      summary: 'stopped',
      paymentStatus: 'FAILED',
      reasonCode: 'card_declined',
    });
    expect(stored?.money?.released.major).toBe('7.00');
  });

  it('reads the payment record once and archives that record with the timeline built from it', async () => {
    // Prepare
    const { paymentId, walletId } = await declinedPayment();
    const sfn = fakeStepFunctions(new Map([[arnOf(paymentId), declinedHistory(paymentId, walletId)]]));
    const reads: string[] = [];
    const counted = {
      get: (id: string) => {
        reads.push(id);
        return payments.get(id);
      },
    };
    const deps = { sfn, payments: counted, ledger: reader, archive };
    // Act
    const outcome = await archiveExecution(deps, statusChange(paymentId));
    // Assess
    expect(outcome).toMatchObject({ archived: true, paymentId });
    expect(reads).toEqual([paymentId]);
    const stored = await archive.latest(paymentId);
    expect(stored?.timeline.outcome).toMatchObject({ paymentStatus: 'FAILED' });
    expect(stored?.payment?.status).toBe('FAILED');
  });

  it('keeps the first record when the ledger changed before a redelivery, and skips what cannot be archived', async () => {
    // Prepare
    const { paymentId, walletId } = await declinedPayment();
    const histories = new Map([[arnOf(paymentId), declinedHistory(paymentId, walletId)]]);
    const deps = { sfn: fakeStepFunctions(histories), payments, ledger: reader, archive };
    await archiveExecution(deps, statusChange(paymentId));
    const changed = new PaymentsRepository(dynamo.doc, dynamo.tables.payments);
    const other = {
      get: async (id: string) => ({ ...(await changed.get(id)), reason: 'edited later' }) as never,
    };
    // Act
    const kept = await archiveExecution({ ...deps, payments: other }, statusChange(paymentId));
    const running = await archiveExecution(deps, statusChange(paymentId, 'RUNNING'));
    const gone = await archiveExecution(deps, statusChange(`pay_${randomUUID().slice(0, 8)}`));
    // Assess
    expect(kept).toMatchObject({ archived: false, reason: 'kept_earlier' });
    expect(running).toMatchObject({ archived: false, reason: 'not_terminal' });
    expect(gone).toMatchObject({ archived: false, reason: 'execution_gone' });
    expect((await archive.latest(paymentId))?.timeline.outcome.reason).toBe(
      'Charge failed (card_declined): declined',
    );
  });

  it('skips a run that was redriven since the event, and asks for a retry when the history lags the event', async () => {
    // Prepare
    const redriven = await declinedPayment();
    const lagging = await declinedPayment();
    const histories = new Map([
      [arnOf(redriven.paymentId), declinedHistory(redriven.paymentId, redriven.walletId, true).slice(0, -1)],
      [arnOf(lagging.paymentId), declinedHistory(lagging.paymentId, lagging.walletId).slice(0, -1)],
    ]);
    const deps = { sfn: fakeStepFunctions(histories), payments, ledger: reader, archive };
    // Act
    const skipped = await archiveExecution(deps, statusChange(redriven.paymentId));
    const retried = archiveExecution(deps, statusChange(lagging.paymentId));
    // Assess
    expect(skipped).toMatchObject({ archived: false, reason: 'still_running' });
    await expect(retried).rejects.toThrow(HistoryNotFinalError);
    expect(await archive.latest(lagging.paymentId)).toBeUndefined();
  });
});
