import type { SQSRecord } from 'aws-lambda';
import { FUNCTIONS, type FunctionKey } from '../../core/config/names';
import type { InjectedFault } from '../functions/invoker';
import type { RuntimeOptions } from '../runtime';
import { type ChaosRates, type InjectedKind, invocationDecision, redeliveryDecision } from './schedule';

/**
 * How a crashed Lambda surfaces to Step Functions when the service, not the
 * handler, reports it: an error name the saga's Retry lists retry.
 */
export class SimulatedCrashError extends Error {
  override readonly name = 'Lambda.ServiceException';
}

/**
 * A failure no retry can cure, as a broken deploy gives (the handler module
 * does not load): not in the saga's Retry lists — crashes, timeouts and
 * out-of-memory are — so the saga fails at the step, holding what it holds,
 * and operations redrive it once the function is fixed.
 */
export class SimulatedUnknownCrashError extends Error {
  override readonly name = 'Runtime.ImportModuleError';
}

/** A final Settle failure (as an expired hold gives): the saga refunds the charge and releases the hold. */
export class SimulatedSettleRefusedError extends Error {
  override readonly name = 'LedgerInvariantError';
}

export interface InjectedFaultLine {
  readonly event: 'fault';
  readonly kind: InjectedKind;
  readonly paymentId: string;
  readonly key?: FunctionKey;
  readonly attempt?: number;
}

/**
 * What a step that died after its side effect but before Powertools saved its result leaves behind:
 * its idempotency record in progress until the dead invocation's deadline. Loaded on first use, in the
 * runtime's process, once the runtime has set the functions' environment.
 */
async function leaveInProgress(key: FunctionKey, event: unknown, lockMs: number): Promise<void> {
  const { leaveStepInProgress, stepNameOf } = await import('../../functions/commons/powertools');
  await leaveStepInProgress(stepNameOf(key), event, lockMs);
}

/** Whom a saga step works for: the paymentId, or `<paymentId>.<refundId>` for a refund saga's step. */
const paymentIdOfTask = (event: unknown): string | undefined => {
  type RefundIds = { paymentId?: unknown; refundId?: unknown };
  const task = event as {
    payment?: { paymentId?: unknown };
    refund?: RefundIds;
    saga?: { refund?: RefundIds };
  };
  // The refund saga's steps get `refund`; its RecordOutcome gets the whole state as `saga`.
  const refund = task?.refund ?? task?.saga?.refund;
  if (typeof refund?.paymentId === 'string' && typeof refund.refundId === 'string')
    return `${refund.paymentId}.${refund.refundId}`;
  const payment = task?.payment;
  return typeof payment?.paymentId === 'string' ? payment.paymentId : undefined;
};

const paymentIdOfRecord = (record: SQSRecord): string | undefined => {
  try {
    const body = JSON.parse(record.body) as { detail?: { paymentId?: unknown } };
    return typeof body.detail?.paymentId === 'string' ? body.detail.paymentId : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The runtime's fault hooks for a seed: the crash hook counts attempts per
 * (paymentId, function) in this process (a restart starts over, as a new
 * Lambda fleet would) and asks the schedule; every injected fault is
 * reported through `report` so the harness can count what really happened.
 */
export function chaosFaults(
  seed: number,
  rates: ChaosRates,
  report: (line: InjectedFaultLine) => void,
  /** The run's retry scale: a crashed step's lock lasts its function timeout times this, as its retries do. */
  lockScale = 1,
): NonNullable<RuntimeOptions['faults']> {
  const attempts = new Map<string, number>();
  return {
    invocation: (key, event): InjectedFault | undefined => {
      const paymentId = paymentIdOfTask(event);
      if (!paymentId) return undefined;
      const slot = `${paymentId}\u0000${key}`;
      const attempt = (attempts.get(slot) ?? 0) + 1;
      attempts.set(slot, attempt);
      const decision = invocationDecision(seed, rates, paymentId, key, attempt);
      if (!decision) return undefined;
      report({ event: 'fault', kind: decision.fault, paymentId, key, attempt });
      const what = `chaos: ${decision.fault} of ${key} for ${paymentId} (attempt ${attempt})`;
      switch (decision.fault) {
        case 'crashBeforeSideEffect':
          return { at: 'before', error: new SimulatedCrashError(what) };
        case 'crashAfterSideEffect':
          return { at: 'after', error: new SimulatedCrashError(what) };
        case 'crashBeforeRecord':
          return {
            at: 'after',
            error: new SimulatedCrashError(what),
            afterHandler: (input) =>
              leaveInProgress(key, input, FUNCTIONS[key].timeoutSeconds * 1000 * lockScale),
          };
        case 'crashNotRetried':
          return { at: 'before', error: new SimulatedUnknownCrashError(what) };
        case 'settleRefused':
          return { at: 'before', error: new SimulatedSettleRefusedError(what) };
      }
    },
    intakeRedelivery: (record) => {
      const paymentId = paymentIdOfRecord(record);
      if (!paymentId) return false;
      const receives = Number(record.attributes.ApproximateReceiveCount);
      if (!redeliveryDecision(seed, rates, paymentId, receives)) return false;
      report({ event: 'fault', kind: 'intakeRedelivery', paymentId });
      return true;
    },
  };
}
