import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHistory } from '../../cli/finance/history-view';
import type { HistoryEvent, SFNClient } from '../../core/aws/sfn';
import { GetExecutionHistoryCommand } from '../../core/aws/sfn';
import type { PaymentGateway } from '../../core/gateway/port';
import { createStripeGateway } from '../../core/gateway/stripe-adapter';
import { archiveExecution } from '../../core/history/archiver';
import { type TimelineDeps, timelineOfExecution, withRefundsNow } from '../../core/history/source';
import type { SagaTimeline } from '../../core/history/timeline';
import { Ledger, LedgerReader } from '../../core/ledger';
import { PaymentRefundStore } from '../../core/payments/refund-store';
import { PaymentsRepository } from '../../core/payments/repository';
import { type RefundStepDeps, reserveRefund } from '../../core/refunds/steps';
import { type LocalDynamo, startDynalite } from '../helpers/dynalite';
import { refundExecutionArnOf, seedSettledPayment, succeedRefund } from '../helpers/refund-outcomes';
import { refundRequest, type SeedOptions } from '../helpers/refunds';
import { type StartedSandbox, startSandbox } from '../helpers/sandbox';

/**
 * payctl history shows a payment's refunds after success (issue 16): each refund's request,
 * reservation, gateway refund, ledger reversal (refund_part, listed in the journal and counted as
 * refunded) and outcome, with its saga's steps when Step Functions has the execution; the archive
 * keeps the refunds that ended before it was written, and later ones are read live with it.
 */

let dynamo: LocalDynamo;
let sandbox: StartedSandbox;
let gateway: PaymentGateway;
let ledger: Ledger;
let steps: RefundStepDeps & { gateway: PaymentGateway };
/** Execution histories the fake Step Functions client knows, by execution ARN. */
const histories = new Map<string, HistoryEvent[]>();
let deps: TimelineDeps;

/** GetExecutionHistory over `histories`; an unknown ARN is ExecutionDoesNotExist, as Step Functions answers. */
const sfn = {
  send: async (command: unknown) => {
    const arn = (command as GetExecutionHistoryCommand).input.executionArn ?? '';
    if (!(command instanceof GetExecutionHistoryCommand)) throw new Error('unexpected command');
    const events = histories.get(arn);
    if (!events)
      throw Object.assign(new Error(`Execution Does Not Exist: '${arn}'`), { name: 'ExecutionDoesNotExist' });
    return { events };
  },
} as unknown as SFNClient;

beforeAll(async () => {
  dynamo = await startDynalite();
  sandbox = await startSandbox();
  gateway = createStripeGateway({ apiKey: sandbox.apiKey, apiBase: sandbox.url, maxNetworkRetries: 0 });
  ledger = new Ledger({ doc: dynamo.doc, tableName: dynamo.tables.ledger });
  const payments = new PaymentsRepository(dynamo.doc, dynamo.tables.payments);
  const refunds = new PaymentRefundStore(dynamo.doc, dynamo.tables.payments);
  steps = { refunds, payments, ledger, gateway, now: () => new Date() };
  deps = { sfn, payments, ledger: new LedgerReader(dynamo.doc, dynamo.tables.ledger), refunds };
});

afterAll(async () => {
  await sandbox?.stop();
  await dynamo?.stop();
});

/** A succeeded execution that ran `states` (Task states, one Lambda attempt each), then reached `end`. */
function succeededHistory(states: readonly string[], end: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  let at = Date.parse('2026-12-05T10:00:00.000Z');
  const push = (type: string, details: Record<string, unknown> = {}) => {
    events.push({ id: events.length + 1, timestamp: new Date(at), type, ...details } as HistoryEvent);
    at += 50;
  };
  push('ExecutionStarted', { executionStartedEventDetails: { input: '{}' } });
  for (const name of states) {
    push('TaskStateEntered', { stateEnteredEventDetails: { name, input: '{}' } });
    push('LambdaFunctionScheduled', {
      lambdaFunctionScheduledEventDetails: { resource: 'arn:aws:lambda:x' },
    });
    push('LambdaFunctionSucceeded', { lambdaFunctionSucceededEventDetails: { output: '{}' } });
    push('TaskStateExited', { stateExitedEventDetails: { name, output: '{}' } });
  }
  push('SucceedStateEntered', { stateEnteredEventDetails: { name: end, input: '{}' } });
  push('ExecutionSucceeded', { executionSucceededEventDetails: { output: '{}' } });
  return events;
}

const REFUND_STEPS = ['ReserveRefund', 'RefundAtGateway', 'PostReversal', 'RecordSuccess', 'PublishSuccess'];

/** A settled payment whose saga's history the fake Step Functions client knows. */
async function settledPayment(options: SeedOptions) {
  const payment = await seedSettledPayment(dynamo, ledger, gateway, options);
  const executionArn = `arn:aws:states:us-east-1:000000000000:execution:payment-saga:${payment.paymentId}`;
  histories.set(executionArn, succeededHistory(['Reserve', 'Charge', 'Settle', 'Notify'], 'Succeeded'));
  return { ...payment, executionArn };
}

describe('payctl history and refunds', () => {
  it('shows each refund with its reservation, gateway refund, reversal, outcome and saga steps', async () => {
    // Prepare: a 30.00 wallet + 20.00 card payment refunded 15.00 (card first), then 10.00 (5.00 card + 5.00 wallet)
    const payment = await settledPayment({ walletAmount: 3000, gatewayAmount: 2000 });
    const first = refundRequest(payment.paymentId, { amount: 1500 });
    const second = refundRequest(payment.paymentId, {
      amount: 1000,
      requestedAt: new Date(Date.now() + 1000).toISOString(),
    });
    await succeedRefund(steps, first);
    await succeedRefund(steps, second);
    histories.set(refundExecutionArnOf(first.refundId), succeededHistory(REFUND_STEPS, 'Succeeded'));
    // Act
    const timeline = await timelineOfExecution(deps, payment.executionArn, payment.paymentId);
    // Assess
    const [a, b, ...more] = timeline?.refunds ?? [];
    expect(more).toEqual([]);
    expect(a).toMatchObject({
      refundId: first.refundId,
      status: 'SUCCEEDED',
      amount: { minor: 1500, major: '15.00' },
      gatewayAmount: { minor: 1500 },
      reservation: 'REFUNDED',
      gatewayRefundId: expect.stringMatching(/^re_/),
      reversal: { entryId: `refund:${payment.paymentId}:${first.refundId}#refund_part` },
    });
    expect(a?.execution?.steps.map((s) => s.state)).toEqual([...REFUND_STEPS, 'Succeeded']);
    expect(b).toMatchObject({
      refundId: second.refundId,
      walletAmount: { minor: 500 },
      gatewayAmount: { minor: 500 },
      reversal: { entryId: `refund:${payment.paymentId}:${second.refundId}#refund_part` },
    });
    expect(b?.execution).toBeUndefined(); // its execution is not in Step Functions
    expect(timeline?.journal.filter((e) => e.operation === 'refund_part')).toHaveLength(2);
    expect(timeline?.money?.refunded.minor).toBe(2500);
    const text = renderHistory({ source: 'execution', timeline: timeline as SagaTimeline }).join('\n');
    expect(text).toContain('Refunds   2');
    expect(text).toContain(`${first.refundId}  EUR 15.00 (card EUR 15.00)`);
    expect(text).toContain('outcome:   SUCCEEDED');
    expect(text).toContain(`(not in Step Functions)`);
  });

  it('archives the refunds that ended, and reads the later ones live with the archive', async () => {
    // Prepare: one refund ended, one still running when the payment's history is archived
    const payment = await settledPayment({ walletAmount: 1000, gatewayAmount: 1000 });
    const ended = refundRequest(payment.paymentId, { amount: 400 });
    await succeedRefund(steps, ended);
    const running = refundRequest(payment.paymentId, { amount: 300 });
    await reserveRefund(steps, { refund: running, executionArn: refundExecutionArnOf(running.refundId) });
    const written: SagaTimeline[] = [];
    const archive = {
      put: async (timeline: SagaTimeline) => {
        written.push(timeline);
        return { archiveId: 'a1', objectKey: 'k', written: true };
      },
      expirePaymentItems: async () => 0,
    };
    // Act
    await archiveExecution(
      { ...deps, archive },
      {
        source: 'aws.states',
        'detail-type': 'Step Functions Execution Status Change',
        detail: {
          executionArn: payment.executionArn,
          stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:payment-saga',
          name: payment.paymentId,
          status: 'SUCCEEDED',
        },
      },
    );
    const later = refundRequest(payment.paymentId, { amount: 200 });
    await succeedRefund(steps, later);
    const [archived] = written;
    if (!archived) throw new Error('nothing archived');
    const shown = await withRefundsNow(deps, archived);
    // Assess
    expect(archived.refunds?.map((r) => r.refundId)).toEqual([ended.refundId]);
    expect(archived.money?.refunded.minor).toBe(400);
    expect(shown.refunds?.map((r) => [r.refundId, r.status]).sort()).toEqual(
      [
        [ended.refundId, 'SUCCEEDED'],
        [running.refundId, 'RESERVED'],
        [later.refundId, 'SUCCEEDED'],
      ].sort(),
    );
    expect(
      shown.journal
        .filter((e) => e.operation === 'refund_part')
        .map((e) => e.entryId)
        .sort(),
    ).toEqual(
      [
        `refund:${payment.paymentId}:${ended.refundId}#refund_part`,
        `refund:${payment.paymentId}:${later.refundId}#refund_part`,
      ].sort(),
    );
    expect(shown.money?.refunded.minor).toBe(600);
  });
});
