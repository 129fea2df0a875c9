import { describe, expect, it } from 'vitest';
import { REFUND_FINAL_ERROR_NAMES, TRANSIENT_ERROR_NAMES } from '../../core/errors';
import { REFUND_ASL_PLACEHOLDERS, readRefundDefinitionText } from '../../core/refunds/definition';
import { REFUND_STATES } from '../../core/refunds/outcome';

interface Retrier {
  ErrorEquals: string[];
  JitterStrategy?: string;
  MaxDelaySeconds?: number;
  MaxAttempts?: number;
}
interface State {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  Retry?: Retrier[];
  Catch?: Array<{ ErrorEquals: string[]; Next: string }>;
  Next?: string;
}

const definition = JSON.parse(readRefundDefinitionText()) as { States: Record<string, State> };
const tasks = Object.entries(definition.States).filter(([, state]) => state.Type === 'Task');
const lambdaTasks = tasks.filter(([, state]) => state.Resource?.startsWith('${'));

/** The state the first matching Catch sends `error` to, as Step Functions picks it (States.ALL matches all). */
const caughtBy = (state: string, error: string) =>
  definition.States[state]?.Catch?.find(
    (c) => c.ErrorEquals.includes(error) || c.ErrorEquals.includes('States.ALL'),
  )?.Next;

describe('ASL: workflows/refund-saga.asl.json', () => {
  it('has the states the code names, in the order of the saga', () => {
    // Assess
    expect(definition.States[REFUND_STATES.reserve]?.Next).toBe(REFUND_STATES.gateway);
    expect(definition.States[REFUND_STATES.gateway]?.Next).toBe(REFUND_STATES.reversal);
    expect(definition.States[REFUND_STATES.reversal]?.Next).toBe('RecordSuccess');
  });

  it('gives every Task an explicit timeout and every Retry full jitter and a delay cap', () => {
    // Assess
    for (const [name, state] of tasks) {
      expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
      for (const retrier of state.Retry ?? []) {
        expect(retrier.JitterStrategy, name).toBe('FULL');
        expect(retrier.MaxDelaySeconds, name).toBeGreaterThan(0);
      }
    }
  });

  it('retries every Lambda Task on the whole transient list, and only there', () => {
    // Assess
    for (const [name, state] of lambdaTasks) {
      const retried = new Set((state.Retry ?? []).flatMap((r) => r.ErrorEquals));
      expect(
        [...TRANSIENT_ERROR_NAMES].filter((n) => !retried.has(n)),
        name,
      ).toEqual([]);
      expect(
        [...REFUND_FINAL_ERROR_NAMES].filter((n) => retried.has(n)),
        name,
      ).toEqual([]);
    }
  });

  it('sends a final error at Reserve to RecordFailure and at the gateway to ReleaseRefund', () => {
    // Assess
    const catchOf = (state: string, error: string) =>
      definition.States[state]?.Catch?.find((c) => c.ErrorEquals.includes(error))?.Next;
    for (const error of REFUND_FINAL_ERROR_NAMES) {
      expect(catchOf(REFUND_STATES.reserve, error), error).toBe('RecordFailure');
      expect(catchOf(REFUND_STATES.gateway, error), error).toBe('ReleaseRefund');
    }
    expect(caughtBy(REFUND_STATES.gateway, 'UnexpectedStepError')).toBe('DeadLetterCompensation');
    expect(catchOf(REFUND_STATES.reversal, 'States.ALL')).toBe('DeadLetterCompensation');
    expect(catchOf('ReleaseRefund', 'States.ALL')).toBe('DeadLetterCompensation');
  });

  it('parks RefundAtGateway in the compensation DLQ when its retries run out: never silent, never ReleaseRefund', () => {
    // Assess: the last Catch takes every error; transient ones reach it once the Retry gave up
    const catchers = definition.States[REFUND_STATES.gateway]?.Catch ?? [];
    expect(catchers.at(-1)).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'DeadLetterCompensation' });
    for (const error of [...TRANSIENT_ERROR_NAMES, 'States.Timeout', 'States.TaskFailed']) {
      expect(caughtBy(REFUND_STATES.gateway, error), error).toBe('DeadLetterCompensation');
    }
    expect(definition.States.DeadLetterCompensation?.Next).toBe('RecordNeedsAttention');
  });

  it('sends whatever else stops ReserveRefund (retries run out, a timeout) to ReleaseUnconfirmedReservation, then RecordFailure: never a silent stop', () => {
    // Assess: the last Catch of Reserve takes every error; a reservation its lost answer made is released
    const catchers = definition.States[REFUND_STATES.reserve]?.Catch ?? [];
    expect(catchers.at(-1)).toMatchObject({
      ErrorEquals: ['States.ALL'],
      Next: 'ReleaseUnconfirmedReservation',
    });
    // UnexpectedStepError too: it may come after the reservation's write (e.g. advancing the record)
    for (const error of [
      ...TRANSIENT_ERROR_NAMES,
      'States.Timeout',
      'States.TaskFailed',
      'UnexpectedStepError',
    ]) {
      expect(caughtBy(REFUND_STATES.reserve, error), error).toBe('ReleaseUnconfirmedReservation');
    }
    const release = definition.States.ReleaseUnconfirmedReservation;
    expect(release?.Resource).toBe(definition.States.ReleaseRefund?.Resource);
    expect(release?.Next).toBe('RecordFailure');
    expect(release?.Catch?.at(-1)).toMatchObject({
      ErrorEquals: ['States.ALL'],
      Next: 'DeadLetterCompensation',
    });
  });

  it('retries the compensations longer than the forward steps', () => {
    // Assess
    const attempts = (state: string) => definition.States[state]?.Retry?.[0]?.MaxAttempts ?? 0;
    expect(attempts('ReleaseRefund')).toBeGreaterThan(attempts(REFUND_STATES.reserve));
    expect(attempts(REFUND_STATES.reversal)).toBeGreaterThan(attempts(REFUND_STATES.reserve));
  });

  it('uses exactly its declared placeholders', () => {
    // Assess
    const used = new Set([...readRefundDefinitionText().matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual(Object.values(REFUND_ASL_PLACEHOLDERS).sort());
  });
});
