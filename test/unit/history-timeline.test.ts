import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { renderHistory } from '../../cli/finance/history-view';
import { buildTimeline } from '../../core/history/build';
import { SagaTimeline } from '../../core/history/timeline';
import type { JournalEntry } from '../../core/ledger/model';
import type { PaymentRecord } from '../../core/payments/records';

const ARN = 'arn:aws:states:us-east-1:000000000000:execution:paysaga-local-payment-saga:pay_t1';
const PAYMENT = {
  schemaVersion: '1',
  paymentId: 'pay_t1',
  walletId: 'wal_a',
  merchantId: 'mer_b',
  amount: { value: 1250, currency: 'EUR', exponent: 2 },
  paymentMethod: 'pm_card_visa',
  requestedAt: '2026-11-01T10:00:00.000Z',
};

/** AWS-shaped GetExecutionHistory events, 100 ms apart, as the SDK returns them (Date timestamps). */
class HistoryBuilder {
  readonly events: HistoryEvent[] = [];
  private at = Date.parse('2026-11-01T10:00:01.000Z');

  private push(type: string, details?: Record<string, unknown>): this {
    const id = this.events.length + 1;
    this.events.push({
      id,
      previousEventId: id - 1,
      timestamp: new Date(this.at),
      type: type as HistoryEvent['type'],
      ...details,
    } as HistoryEvent);
    this.at += 100;
    return this;
  }
  started() {
    return this.push('ExecutionStarted', {
      executionStartedEventDetails: { input: JSON.stringify({ payment: PAYMENT }) },
    });
  }
  enter(name: string, type = 'Task') {
    return this.push(`${type}StateEntered`, { stateEnteredEventDetails: { name, input: '{}' } });
  }
  exit(name: string, type = 'Task') {
    return this.push(`${type}StateExited`, { stateExitedEventDetails: { name, output: '{}' } });
  }
  lambdaOk(output: unknown) {
    this.push('LambdaFunctionScheduled', {
      lambdaFunctionScheduledEventDetails: { resource: 'arn:aws:lambda:x' },
    });
    this.push('LambdaFunctionStarted');
    return this.push('LambdaFunctionSucceeded', {
      lambdaFunctionSucceededEventDetails: { output: JSON.stringify(output) },
    });
  }
  lambdaFail(error: string, message: string) {
    this.push('LambdaFunctionScheduled', {
      lambdaFunctionScheduledEventDetails: { resource: 'arn:aws:lambda:x' },
    });
    this.push('LambdaFunctionStarted');
    return this.push('LambdaFunctionFailed', {
      lambdaFunctionFailedEventDetails: {
        error,
        cause: JSON.stringify({ errorType: error, errorMessage: message, trace: [] }),
      },
    });
  }
  taskOk(output: unknown) {
    this.push('TaskScheduled', {
      taskScheduledEventDetails: { resourceType: 'events', resource: 'putEvents' },
    });
    this.push('TaskStarted');
    return this.push('TaskSucceeded', { taskSucceededEventDetails: { output: JSON.stringify(output) } });
  }
  step(name: string, output: unknown) {
    return this.enter(name).lambdaOk(output).exit(name);
  }
  failed(error: string, cause: string) {
    return this.push('ExecutionFailed', { executionFailedEventDetails: { error, cause } });
  }
  succeeded() {
    return this.push('ExecutionSucceeded', { executionSucceededEventDetails: { output: '{}' } });
  }
  redriven(count: number) {
    return this.push('ExecutionRedriven', { executionRedrivenEventDetails: { redriveCount: count } });
  }
}

const reserveOut = {
  holdId: 'hold:wal_a:pay_t1',
  walletId: 'wal_a',
  amount: 1250,
  currency: 'EUR',
  expiresAt: '2026-11-16T10:00:01.000Z',
};
const chargeOut = { chargeId: 'pi_1', status: 'succeeded', created: '2026-11-01T10:00:02.000Z' };

function entry(operation: JournalEntry['operation'], lines: [string, number][], at: string): JournalEntry {
  return {
    entryId: `pay_t1#${operation}`,
    ref: 'pay_t1',
    operation,
    walletId: 'wal_a',
    currency: 'EUR',
    lines: lines.map(([account, amount]) => ({ account, amount })),
    effectiveAt: at,
  };
}

function record(overrides: Partial<PaymentRecord> = {}): PaymentRecord {
  return {
    paymentId: 'pay_t1',
    status: 'SUCCEEDED',
    walletId: 'wal_a',
    merchantId: 'mer_b',
    amount: 1250,
    currency: 'EUR',
    exponent: 2,
    requestedAt: PAYMENT.requestedAt,
    requestHash: 'h',
    executionArn: ARN,
    createdAt: '2026-11-01T10:00:00.500Z',
    updatedAt: '2026-11-01T10:00:05.000Z',
    ...overrides,
  };
}

describe('buildTimeline', () => {
  it('shows every step of a successful saga in order, with a retry, its error and the results in major units', () => {
    // Prepare
    const h = new HistoryBuilder().started().step('Reserve', reserveOut).enter('Charge');
    h.lambdaFail(
      'GatewayUnavailableError',
      'charge pay_t1: gateway error (HTTP 503) (reason: gateway_unavailable)',
    );
    h.lambdaOk(chargeOut).exit('Charge');
    h.step('Settle', { captured: 1250, released: 0, postedAt: '2026-11-01T10:00:03.000Z' });
    h.step('Notify', { messageId: 'm-1' });
    h.step('RecordSuccess', { status: 'SUCCEEDED', entries: [], error: '', cause: '', compensations: [] });
    h.enter('PublishSuccess').taskOk({ FailedEntryCount: 0 }).exit('PublishSuccess');
    h.enter('Succeeded', 'Succeed').exit('Succeeded', 'Succeed').succeeded();
    const journal = [
      entry(
        'settle',
        [
          ['holds:wal_a', -1250],
          ['merchant:mer_b', 1250],
        ],
        '2026-11-01T10:00:03.000Z',
      ),
      entry(
        'reserve',
        [
          ['wallet:wal_a', -1250],
          ['holds:wal_a', 1250],
        ],
        '2026-11-01T10:00:01.500Z',
      ),
    ];
    // Act
    const timeline = buildTimeline({ executionArn: ARN, events: h.events, payment: record(), journal });
    // Assess
    expect(timeline.steps.map((s) => [s.state, s.kind, s.status])).toEqual([
      ['Reserve', 'step', 'succeeded'],
      ['Charge', 'step', 'succeeded'],
      ['Settle', 'step', 'succeeded'],
      ['Notify', 'step', 'succeeded'],
      ['RecordSuccess', 'outcome', 'succeeded'],
      ['PublishSuccess', 'publish', 'succeeded'],
      ['Succeeded', 'end', 'succeeded'],
    ]);
    const charge = timeline.steps[1];
    expect(charge?.attempts.map((a) => [a.attempt, a.outcome, a.error])).toEqual([
      [1, 'failed', 'GatewayUnavailableError'],
      [2, 'succeeded', undefined],
    ]);
    expect(charge?.attempts[0]?.cause).toBe(
      'charge pay_t1: gateway error (HTTP 503) (reason: gateway_unavailable)',
    );
    expect(charge?.result).toEqual({ chargeId: 'pi_1', chargeStatus: 'succeeded' });
    expect(timeline.steps[0]?.result?.held).toEqual({ minor: 1250, currency: 'EUR', major: '12.50' });
    expect(timeline.steps[0]?.journal).toEqual(['pay_t1#reserve']);
    expect(timeline.steps[2]?.journal).toEqual(['pay_t1#settle']);
    expect(timeline.journal.map((e) => e.operation)).toEqual(['reserve', 'settle']);
    expect(timeline.money?.captured.major).toBe('12.50');
    expect(timeline.outcome).toMatchObject({
      summary: 'succeeded',
      executionStatus: 'SUCCEEDED',
      compensations: [],
    });
    expect(timeline.durationMs).toBeGreaterThan(0);
    expect(SagaTimeline.safeParse(timeline).success).toBe(true);
  });

  it('shows a settle failure caught and compensated in reverse order, with the reason from the payment', () => {
    // Prepare
    const h = new HistoryBuilder().started().step('Reserve', reserveOut).step('Charge', chargeOut);
    // AWS moves on from a caught failure without a StateExited event.
    h.enter('Settle').lambdaFail('LedgerInvariantError', 'hold missing (reason: ledger_invariant)');
    h.step('RefundCharge', { refundId: 're_1', status: 'succeeded', ledgerReversed: false });
    h.step('ReleaseFunds', { outcome: 'released', releasedAmount: 1250 });
    h.step('RecordFailure', {
      status: 'FAILED',
      entries: [],
      error: 'LedgerInvariantError',
      cause: 'Settle failed (settlement_failed): hold missing',
      reasonCode: 'settlement_failed',
      failedState: 'Settle',
      compensations: ['RefundCharge', 'ReleaseFunds'],
    });
    h.enter('Failed', 'Fail').failed(
      'LedgerInvariantError',
      'Settle failed (settlement_failed): hold missing',
    );
    const payment = record({
      status: 'FAILED',
      reasonCode: 'settlement_failed',
      reason: 'Settle failed (settlement_failed): hold missing',
      failedState: 'Settle',
    });
    // Act
    const timeline = buildTimeline({ executionArn: ARN, events: h.events, payment });
    // Assess
    expect(timeline.steps.map((s) => [s.state, s.status])).toEqual([
      ['Reserve', 'succeeded'],
      ['Charge', 'succeeded'],
      ['Settle', 'caught'],
      ['RefundCharge', 'succeeded'],
      ['ReleaseFunds', 'succeeded'],
      ['RecordFailure', 'succeeded'],
      ['Failed', 'succeeded'],
    ]);
    expect(timeline.steps[2]?.exitedAt).toBe(timeline.steps[3]?.enteredAt);
    expect(timeline.steps[3]?.result).toMatchObject({ refundId: 're_1', refundStatus: 'succeeded' });
    expect(timeline.steps[4]?.result?.released?.major).toBe('12.50');
    expect(timeline.outcome).toMatchObject({
      summary: 'failed',
      reasonCode: 'settlement_failed',
      failedState: 'Settle',
      compensations: ['RefundCharge', 'ReleaseFunds'],
      reason: 'Settle failed (settlement_failed): hold missing',
    });
  });

  it('shows an execution stopped at Charge after its retries, then redriven to success, as two runs', () => {
    // Prepare
    const h = new HistoryBuilder().started().step('Reserve', reserveOut).enter('Charge');
    for (let i = 0; i < 3; i += 1) h.lambdaFail('GatewayUnavailableError', 'HTTP 503');
    h.failed(
      'GatewayUnavailableError',
      JSON.stringify({ errorType: 'GatewayUnavailableError', errorMessage: 'HTTP 503' }),
    );
    const stoppedOnly = [...h.events];
    h.redriven(1).step('Charge', chargeOut).step('Settle', { captured: 1250, released: 0, postedAt: 'x' });
    h.step('Notify', { messageId: 'm' }).step('RecordSuccess', { status: 'SUCCEEDED', compensations: [] });
    h.enter('Succeeded', 'Succeed').succeeded();
    // Act
    const stopped = buildTimeline({
      executionArn: ARN,
      events: stoppedOnly,
      payment: record({ status: 'RESERVED' }),
    });
    const redriven = buildTimeline({ executionArn: ARN, events: h.events });
    // Assess
    expect(stopped.steps[1]).toMatchObject({ state: 'Charge', status: 'failed' });
    expect(stopped.steps[1]?.attempts).toHaveLength(3);
    expect(stopped.outcome).toMatchObject({
      summary: 'stopped',
      executionStatus: 'FAILED',
      paymentStatus: 'RESERVED',
      failedState: 'Charge',
      error: 'GatewayUnavailableError',
      cause: 'HTTP 503',
    });
    expect(redriven.redriveCount).toBe(1);
    expect(redriven.steps.map((s) => [s.state, s.run, s.status]).slice(0, 4)).toEqual([
      ['Reserve', 0, 'succeeded'],
      ['Charge', 0, 'failed'],
      ['Charge', 1, 'succeeded'],
      ['Settle', 1, 'succeeded'],
    ]);
    expect(redriven.outcome.summary).toBe('succeeded');
    expect(redriven.payment?.amount.major).toBe('12.50');
  });

  it.each([
    ['Reserve, before any hold', [], /no hold is open/],
    [
      'Charge, with the hold placed',
      [
        entry(
          'reserve',
          [
            ['wallet:wal_a', -1250],
            ['holds:wal_a', 1250],
          ],
          '2026-11-01T10:00:01.500Z',
        ),
      ],
      /a hold of EUR 12\.50 is open/,
    ],
  ] as const)(
    'says what the ledger holds for a saga stopped at %s, never assumes the hold',
    (_, journal, held) => {
      // Prepare: the execution stopped at its first state after an error no Catch takes
      const h = new HistoryBuilder().started().enter('Reserve');
      h.lambdaFail('ValidationException', 'Item size to update has exceeded the maximum allowed size');
      h.failed('ValidationException', 'Item size to update has exceeded the maximum allowed size');
      const timeline = buildTimeline({
        executionArn: ARN,
        events: h.events,
        payment: record({ status: 'REQUESTED' }),
        journal: [...journal],
      });
      // Act
      const text = renderHistory({ source: 'execution', timeline }).join('\n');
      // Assess
      expect(timeline.outcome.summary).toBe('stopped');
      expect(text).toMatch(held);
      expect(text).not.toMatch(/the hold is kept/);
      expect(text).toMatch(/the saga recorded no gateway charge/);
    },
  );

  it('gives the same timeline for the same inputs, whatever order the events arrive in', () => {
    // Prepare
    const h = new HistoryBuilder().started().step('Reserve', reserveOut).step('Charge', chargeOut);
    h.enter('Settle').lambdaOk({ captured: 1250, released: 0, postedAt: 'x' });
    // Act
    const first = buildTimeline({
      executionArn: ARN,
      events: h.events,
      payment: record({ status: 'CHARGED' }),
    });
    const again = buildTimeline({
      executionArn: ARN,
      events: [...h.events].reverse(),
      payment: record({ status: 'CHARGED' }),
    });
    // Assess
    expect(again).toEqual(first);
    expect(first.outcome.summary).toBe('running');
    expect(first.steps.at(-1)).toMatchObject({ state: 'Settle', status: 'running' });
    expect(first.stoppedAt).toBeUndefined();
  });

  it('formats amounts by the currency exponent: JPY without decimals, BHD with three', () => {
    // Prepare
    const jpy = { ...reserveOut, amount: 1250, currency: 'JPY' };
    const events = new HistoryBuilder().started().step('Reserve', jpy).events;
    const bhd = record({ currency: 'BHD', amount: 12345, exponent: 3 });
    // Act
    const timeline = buildTimeline({ executionArn: ARN, events, payment: bhd });
    // Assess
    expect(timeline.steps[0]?.result?.held).toEqual({ minor: 1250, currency: 'JPY', major: '1250' });
    expect(timeline.payment?.amount).toEqual({ minor: 12345, currency: 'BHD', major: '12.345' });
  });

  it('marks an unbalanced journal entry', () => {
    // Prepare
    const events = new HistoryBuilder().started().step('Reserve', reserveOut).events;
    const journal = [
      entry(
        'reserve',
        [
          ['wallet:wal_a', -1250],
          ['holds:wal_a', 1200],
        ],
        '2026-11-01T10:00:01.500Z',
      ),
    ];
    // Act
    const timeline = buildTimeline({ executionArn: ARN, events, payment: record(), journal });
    // Assess
    expect(timeline.journal[0]?.balanced).toBe(false);
    expect(timeline.journal[0]?.lines[1]?.amount.major).toBe('12.00');
  });

  it('lines the journal up whatever the operation names (settle_card, refund_part are longer than reserve)', () => {
    // Prepare
    const events = new HistoryBuilder().started().step('Reserve', reserveOut).events;
    const journal = [
      entry(
        'reserve',
        [
          ['wallet:wal_a', -1000],
          ['holds:wal_a', 1000],
        ],
        '2026-11-01T10:00:01.500Z',
      ),
      entry(
        'settle',
        [
          ['holds:wal_a', -1000],
          ['merchant:mer_b', 1000],
        ],
        '2026-11-01T10:00:02.500Z',
      ),
      entry(
        'settle_card',
        [
          ['gateway', -250],
          ['merchant:mer_b', 250],
        ],
        '2026-11-01T10:00:02.600Z',
      ),
      entry(
        'refund_part',
        [
          ['merchant:mer_b', -500],
          ['wallet:wal_a', 250],
          ['gateway', 250],
        ],
        '2026-11-01T10:00:09.000Z',
      ),
    ];
    const timeline = buildTimeline({ executionArn: ARN, events, payment: record(), journal });
    // Act
    const text = renderHistory({ source: 'execution', timeline });
    // Assess
    const journalLines = text.slice(text.indexOf('Journal') + 1, text.indexOf('Journal') + 5);
    const timeColumns = journalLines.map((line) => line.indexOf('2026-11-01T'));
    expect(journalLines.map((line) => line.trim().split(' ')[0])).toEqual([
      'reserve',
      'settle',
      'settle_card',
      'refund_part',
    ]);
    expect(new Set(timeColumns).size).toBe(1);
  });
});
