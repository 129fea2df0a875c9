import { SAGA_STATES } from '../config/names';
import {
  ChargeOutput,
  NotifyOutput,
  RefundOutput,
  ReleaseOutput,
  ReserveOutput,
  SettleOutput,
} from '../saga/state';
import { amountView } from './amounts';
import type { StepKind, StepResultView } from './timeline';

/** Which part of the saga a state is, from its name (names.ts) or its ASL type. */
export function kindOf(state: string, stateType: string): StepKind {
  if (stateType === 'Succeed' || stateType === 'Fail') return 'end';
  if (state === SAGA_STATES.refundCharge || state === SAGA_STATES.releaseFunds) return 'compensation';
  if (state.startsWith('Record')) return 'outcome';
  if (state.startsWith('Publish')) return 'publish';
  if (state.startsWith('DeadLetter')) return 'dead_letter';
  return 'step';
}

/** RecordOutcome's result, as far as the timeline needs it (core/saga/outcome.ts OutcomeRecord). */
export interface RecordedOutcome {
  readonly status?: string;
  readonly reasonCode?: string;
  readonly failedState?: string;
  readonly compensations?: readonly string[];
  readonly error?: string;
  readonly cause?: string;
}

function recordedOutcome(output: unknown): RecordedOutcome | undefined {
  if (!output || typeof output !== 'object') return undefined;
  const o = output as Record<string, unknown>;
  const text = (key: string) =>
    typeof o[key] === 'string' && o[key] !== '' ? (o[key] as string) : undefined;
  return {
    ...(text('status') && { status: text('status') }),
    ...(text('reasonCode') && { reasonCode: text('reasonCode') }),
    ...(text('failedState') && { failedState: text('failedState') }),
    ...(Array.isArray(o.compensations) && {
      compensations: o.compensations.filter((c): c is string => typeof c === 'string'),
    }),
    ...(text('error') && { error: text('error') }),
    ...(text('cause') && { cause: text('cause') }),
  };
}

/** The summary of a successful attempt's output; amounts in the payment's currency. */
export function summariseResult(
  state: string,
  kind: StepKind,
  output: unknown,
  currency: string | undefined,
): { result?: StepResultView; recorded?: RecordedOutcome } {
  const money = (minor: number) => amountView(minor, currency ?? '');
  switch (state) {
    case SAGA_STATES.reserve: {
      const r = ReserveOutput.safeParse(output);
      if (!r.success) return {};
      return {
        result: {
          holdId: r.data.holdId,
          holdExpiresAt: r.data.expiresAt,
          held: amountView(r.data.amount, r.data.currency),
        },
      };
    }
    case SAGA_STATES.charge: {
      const r = ChargeOutput.safeParse(output);
      if (!r.success) return {};
      return {
        result: {
          chargeId: r.data.chargeId,
          chargeStatus: r.data.status,
          ...(r.data.recovered && { recovered: true }),
        },
      };
    }
    case SAGA_STATES.settle: {
      const r = SettleOutput.safeParse(output);
      if (!r.success) return {};
      return { result: { captured: money(r.data.captured), released: money(r.data.released) } };
    }
    case SAGA_STATES.notify: {
      const r = NotifyOutput.safeParse(output);
      return r.success ? { result: { messageId: r.data.messageId } } : {};
    }
    case SAGA_STATES.refundCharge: {
      const r = RefundOutput.safeParse(output);
      if (!r.success) return {};
      return {
        result: {
          ...(r.data.refundId && { refundId: r.data.refundId }),
          refundStatus: r.data.status,
          ledgerReversed: r.data.ledgerReversed,
        },
      };
    }
    case SAGA_STATES.releaseFunds: {
      const r = ReleaseOutput.safeParse(output);
      if (!r.success) return {};
      return { result: { releaseOutcome: r.data.outcome, released: money(r.data.releasedAmount) } };
    }
  }
  if (kind === 'outcome') {
    const recorded = recordedOutcome(output);
    if (!recorded) return {};
    return {
      recorded,
      result: {
        ...(recorded.status && { outcomeStatus: recorded.status }),
        ...(recorded.reasonCode && { reasonCode: recorded.reasonCode }),
        ...(recorded.failedState && { failedState: recorded.failedState }),
      },
    };
  }
  if (kind === 'dead_letter' && output && typeof output === 'object') {
    const messageId = (output as { MessageId?: unknown }).MessageId;
    return typeof messageId === 'string' ? { result: { messageId } } : {};
  }
  return {};
}
