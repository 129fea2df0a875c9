import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMELINE_SK } from '../../core/payments/keys';
import { ErrorNamed, type SagaHarness, startSagaHarness } from '../helpers/saga-harness';
import { carriedAttemptIds } from '../helpers/timeline';

/**
 * Issue 18: a forward step's succeeded attempt rides in the saga state (its result's `timeline`) and is
 * written by the saga's next timeline write: a failed attempt, a compensation or RecordOutcome, which
 * writes them with its own attempt and the Outcome in one write (core/saga/timeline.ts). Every entry of
 * every attempt still reaches the payment's timeline, once, crashes and retries included.
 */
let h: SagaHarness;

beforeAll(async () => {
  h = await startSagaHarness();
});

afterAll(async () => {
  await h?.stop();
});

const entriesOf = async (paymentId: string) =>
  (await h.payments.timeline(paymentId)).map((e) => `${e.step}:${e.outcome}`).sort();
const onTimelineItem = (input: Record<string, unknown>) =>
  (input.Key as { sk?: string } | undefined)?.sk === TIMELINE_SK;

describe('The payment timeline: entries carried in the saga state', () => {
  it('a happy saga: each forward step answers its entry, RecordSuccess writes them all once', async () => {
    // Prepare
    const walletId = await h.openWallet('EUR', 10_000);
    const payment = h.payment({ walletId });
    // Act
    const run = await h.run(payment);
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    for (const step of ['reserve', 'charge', 'settle', 'notify'])
      expect(carriedAttemptIds(run.output?.[step]), step).toHaveLength(1);
    expect(await entriesOf(payment.paymentId)).toEqual([
      'Outcome:succeeded',
      'charge:succeeded',
      'notify:succeeded',
      'record-outcome:succeeded',
      'reserve:succeeded',
      'settle:succeeded',
    ]);
  });

  it('a failed attempt is written at once with what the state carries; the retry is carried', async () => {
    // Prepare: the gateway answers 5xx to the first charges of the card part
    const walletId = await h.openWallet('EUR', 1000);
    const payment = h.payment({ walletId, paymentMethod: 'pm_sandbox_unavailable_3' });
    // Act
    const run = await h.run(payment);
    // Assess: every failed Charge attempt, and each succeeded step once
    expect(run.status).toBe('SUCCEEDED');
    const entries = await entriesOf(payment.paymentId);
    expect(entries.filter((e) => e === 'charge:failed')).toHaveLength((run.attempts.Charge ?? 0) - 1);
    expect(entries.filter((e) => e !== 'charge:failed')).toEqual([
      'Outcome:succeeded',
      'charge:succeeded',
      'notify:succeeded',
      'record-outcome:succeeded',
      'reserve:succeeded',
      'settle:succeeded',
    ]);
  });

  it('RecordSuccess whose timeline write fails: its failed attempt writes the carried entries, the retry the rest', async () => {
    // Prepare: the first write to the timeline item is throttled (after the SDK's retries)
    const walletId = await h.openWallet('EUR', 10_000);
    const payment = h.payment({ walletId });
    let armed = false;
    // Act
    const run = await h.run(payment, {
      beforeState: {
        RecordSuccess: async () => {
          if (armed) return;
          armed = true;
          h.failDynamo({
            table: 'payments',
            times: 1,
            match: onTimelineItem,
            error: () => new ErrorNamed('ProvisionedThroughputExceededException', 'throughput exceeded'),
          });
        },
      },
    });
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.attempts.RecordSuccess).toBe(2);
    expect(await entriesOf(payment.paymentId)).toEqual([
      'Outcome:succeeded',
      'charge:succeeded',
      'notify:succeeded',
      'record-outcome:failed',
      'record-outcome:succeeded',
      'reserve:succeeded',
      'settle:succeeded',
    ]);
  });

  it('RecordSuccess lost after its write, or before it ran: the retry adds no entry twice and loses none', async () => {
    // Prepare
    const walletId = await h.openWallet('EUR', 10_000);
    const afterWrite = h.payment({ walletId });
    const beforeRun = h.payment({ walletId });
    // Act
    const lost = await h.run(afterWrite, {
      faults: { RecordSuccess: [{ when: 'after', error: new ErrorNamed('Lambda.Unknown') }] },
    });
    const crashed = await h.run(beforeRun, {
      faults: { RecordSuccess: [{ when: 'before', error: new ErrorNamed('Lambda.ServiceException') }] },
    });
    // Assess: the lost invocation's own entry stands (it was written) next to the retry's
    expect([lost.status, crashed.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const forward = ['charge:succeeded', 'notify:succeeded', 'reserve:succeeded', 'settle:succeeded'];
    expect(await entriesOf(afterWrite.paymentId)).toEqual(
      ['Outcome:succeeded', ...forward, 'record-outcome:succeeded', 'record-outcome:succeeded'].sort(),
    );
    expect(await entriesOf(beforeRun.paymentId)).toEqual(
      ['Outcome:succeeded', ...forward, 'record-outcome:succeeded'].sort(),
    );
  });
});
