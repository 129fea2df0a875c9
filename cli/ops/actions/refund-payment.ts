import { randomUUID } from 'node:crypto';
import { PutEventsCommand } from '../../../core/aws/eventbridge';
import { executionArnFor, refundExecutionName } from '../../../core/config/executions';
import { type Currency, formatMoney } from '../../../core/money';
import { containsPan } from '../../../core/pan';
import { PaymentRefundStore } from '../../../core/payments/refund-store';
import { PaymentsRepository } from '../../../core/payments/repository';
import { type RefundRecord, TERMINAL_REFUND_STATUSES } from '../../../core/refunds/record';
import { type RefundRequestResult, requestRefund } from '../../../core/refunds/request';
import {
  type PaymentSplit,
  paymentSplit,
  type RefundParts,
  refundable,
  splitRefund,
} from '../../../core/refunds/split';
import { committedOf } from '../../../core/refunds/steps';
import { DETAIL_TYPES, PAYSAGA_OPS_SOURCE } from '../../../events/envelope';
import { RefundId, RefundReason, RefundRequestedV1 } from '../../../events/refunds.v1';
import { CliError, EXIT, UsageError } from '../../errors';
import type { OpsDeps } from '../deps';
import { type AuditNote, runAudited } from './audited';

/**
 * `payctl payments refund` and the console's Refund action as ONE audited
 * action (payments.refund, recorded also when refused): the request goes
 * through core/refunds/request.ts requestRefund (the front door's and the
 * intake's one path), asked by `payctl:<actor>` or `console:<person>`, and
 * RefundRequested is put on the bus under the operations source
 * (paysaga.ops, the source OpsActionPerformed uses); the refund intake starts
 * the refund saga. planRefund shows beforehand what would be refunded.
 */

/** Who asks: the requestedBy prefix (the identity follows it). */
export type RefundChannel = 'payctl' | 'console';

export interface RefundPaymentRequest {
  readonly paymentId: string;
  /** Minor units of the payment's currency; absent: everything still refundable. */
  readonly amount?: number;
  readonly reason: string;
  /** The refund's id (its idempotency key); one is made when absent. */
  readonly refundId?: string;
}

/** What a refund of this payment would do now, from its committed amounts (core/refunds/split.ts). */
export interface RefundPlan {
  readonly paymentId: string;
  readonly status: string;
  readonly currency: string;
  readonly exponent: number;
  readonly split: PaymentSplit;
  /** Still refundable, in total and per source. */
  readonly refundable: { readonly total: number; readonly wallet: number; readonly gateway: number };
  /** The amount this refund asks for (everything refundable when none is given). */
  readonly amount: number;
  /** Its parts by the split policy; undefined when it cannot be refunded. */
  readonly parts?: RefundParts;
  /** Why it would be refused (and what to do), or undefined. */
  readonly refusal?: string;
}

export interface RefundRequestedResult {
  readonly paymentId: string;
  readonly refundId: string;
  readonly status: RefundRecord['status'];
  /** True when this refundId had been requested before with the same request: nothing new was asked. */
  readonly replayed: boolean;
  readonly requestedBy?: string;
}

export interface RefundRequestedAudited {
  readonly result: RefundRequestedResult;
  readonly audit: AuditNote;
}

export const newRefundId = (): string => `rf_ops_${randomUUID().replaceAll('-', '').slice(0, 20)}`;

const money = (minor: number, currency: string) => formatMoney(minor, currency as Currency);

function validate(request: RefundPaymentRequest): void {
  if (containsPan(request.reason))
    throw new UsageError('--reason looks like it holds a card number: leave it out');
  const reason = RefundReason.safeParse(request.reason);
  if (!reason.success) throw new UsageError('--reason: 1-500 characters are required');
  if (request.refundId !== undefined && !RefundId.safeParse(request.refundId).success) {
    throw new UsageError(
      '--refund-id must be 1-64 letters, digits, "-" or "_", starting with a letter or digit',
    );
  }
  if (request.amount !== undefined && (!Number.isSafeInteger(request.amount) || request.amount <= 0)) {
    throw new UsageError('--amount must be more than zero (e.g. 7.50)');
  }
}

const paymentsOf = (deps: OpsDeps) => new PaymentsRepository(deps.clients.doc, deps.names.tables.payments);
const refundsOf = (deps: OpsDeps) => new PaymentRefundStore(deps.clients.doc, deps.names.tables.payments);

/** What refunding `amount` (or everything left) of the payment would do; throws a usage error for an unknown one. */
export async function planRefund(deps: OpsDeps, paymentId: string, amount?: number): Promise<RefundPlan> {
  const payment = await paymentsOf(deps).get(paymentId);
  if (!payment) throw new UsageError(`payment ${paymentId} does not exist on stage ${deps.stage}`);
  const split = paymentSplit(payment);
  const left = refundable(split, committedOf(payment));
  const asked = amount ?? left.total;
  const parts = payment.status === 'SUCCEEDED' ? splitRefund(asked, split, committedOf(payment)) : undefined;
  const base = {
    paymentId,
    status: payment.status,
    currency: payment.currency,
    exponent: payment.exponent,
    split,
    refundable: payment.status === 'SUCCEEDED' ? left : { total: 0, wallet: 0, gateway: 0 },
    amount: asked,
  };
  if (payment.status !== 'SUCCEEDED') {
    return {
      ...base,
      refusal: `payment ${paymentId} is ${payment.status}: only a SUCCEEDED payment can be refunded`,
    };
  }
  if (!parts) {
    return {
      ...base,
      refusal:
        left.total === 0
          ? `nothing of ${paymentId} is still refundable (${money(split.captured, payment.currency)} captured, all refunded or reserved by other refunds)`
          : `only ${money(left.total, payment.currency)} is still refundable: ask for at most that (--amount), or leave --amount out to refund all of it`,
    };
  }
  return { ...base, parts };
}

/** A refusal of requestRefund in words: what was wrong and what to do. */
function refusalOf(result: Exclude<RefundRequestResult, { kind: 'accepted' }>, paymentId: string): CliError {
  switch (result.kind) {
    case 'payment_not_found':
      return new UsageError(`payment ${paymentId} does not exist`);
    case 'invalid':
      return new UsageError(`${result.path}: ${result.message}`);
    case 'idempotency_conflict':
      return new CliError(
        `refund ${result.refundId} of ${paymentId} was already requested with another amount or reason: a new refund needs a new --refund-id`,
      );
    case 'not_refundable':
      return new CliError(
        `payment ${paymentId} is ${result.status}: only a SUCCEEDED payment can be refunded`,
      );
    case 'exceeds_refundable':
      return new CliError(
        result.refundable.value === 0
          ? `nothing of ${paymentId} is still refundable`
          : `only ${money(result.refundable.value, result.refundable.currency)} is still refundable: ask for at most that (--amount), or leave --amount out to refund all of it`,
      );
  }
}

/** Puts RefundRequested on the bus under the operations source; throws when EventBridge refused it. */
async function publishRefundRequested(deps: OpsDeps, detail: string): Promise<void> {
  const answer = await deps.clients.eventBridge.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: deps.names.eventBus,
          Source: PAYSAGA_OPS_SOURCE,
          DetailType: DETAIL_TYPES.refundRequested,
          Detail: detail,
        },
      ],
    }),
  );
  const refused = answer.Entries?.[0];
  if ((answer.FailedEntryCount ?? 0) > 0 || refused?.ErrorCode) {
    throw new CliError(
      `RefundRequested was recorded but not published (${refused?.ErrorCode ?? 'refused'}: ${refused?.ErrorMessage ?? ''}); run the same command with the same --refund-id again`,
    );
  }
}

/** The refund saga's state machine ARN, beside the payment saga's. */
async function refundMachineArn(deps: OpsDeps): Promise<string> {
  const paymentMachine = await deps.stateMachineArn();
  return paymentMachine.replace(/:stateMachine:[^:]+$/, `:stateMachine:${deps.names.refundStateMachine}`);
}

/**
 * Requests one refund, audited as payments.refund (succeeded when recorded and published, failed with
 * the reason when refused or when it threw). A refusal is thrown as a CliError after its audit record.
 */
export async function refundPayment(
  deps: OpsDeps,
  request: RefundPaymentRequest,
  channel: RefundChannel,
): Promise<RefundRequestedAudited> {
  validate(request);
  const refundId = request.refundId ?? newRefundId();
  const { paymentId } = request;
  let refusal: CliError | undefined;
  // An error after the request may have been recorded (e.g. the bus did not take it): say which refundId to
  // ask again with, so a retry is the same refund, never a second one.
  const retryWith = (error: unknown): never => {
    if (error instanceof CliError && error.message.includes(refundId)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(
      `refund ${refundId} of ${paymentId} may be recorded but not started (${message}): ask again with --refund-id ${refundId}, never with a new one`,
    );
  };
  const { result, audit } = await runAudited(
    deps,
    { action: 'payments.refund', target: `payment ${paymentId} refund ${refundId}` },
    async () => {
      const payment = await paymentsOf(deps).get(paymentId);
      if (!payment) {
        refusal = refusalOf({ kind: 'payment_not_found' }, paymentId);
        return { result: undefined, outcome: 'failed', count: 0, message: `refused: ${refusal.message}` };
      }
      const refund = RefundRequestedV1.parse({
        schemaVersion: '1',
        refundId,
        paymentId,
        ...(request.amount !== undefined && {
          amount: { value: request.amount, currency: payment.currency, exponent: payment.exponent },
        }),
        reason: request.reason.trim(),
        requestedAt: new Date().toISOString(),
      });
      const machine = await refundMachineArn(deps);
      const answer = await requestRefund(
        {
          refunds: refundsOf(deps),
          payments: { get: async () => payment },
          publish: (detail) => publishRefundRequested(deps, detail),
          executionArnOf: (pid, rid) => executionArnFor(machine, refundExecutionName(pid, rid)),
        },
        refund,
        `${channel}:${await deps.identity()}`,
      );
      if (answer.kind !== 'accepted') {
        refusal = refusalOf(answer, paymentId);
        return { result: undefined, outcome: 'failed', count: 0, message: `refused: ${refusal.message}` };
      }
      const r = answer.record;
      const what = `${r.requestedAmount !== undefined ? money(r.requestedAmount, r.currency) : 'everything still refundable'}${answer.replayed ? ' (already requested: replayed)' : ''}; reason: ${r.reason}`;
      return {
        result: {
          paymentId,
          refundId,
          status: r.status,
          replayed: answer.replayed,
          ...(r.requestedBy !== undefined && { requestedBy: r.requestedBy }),
        },
        outcome: 'succeeded',
        count: 1,
        message: `requested ${what}`.slice(0, 2000),
      };
    },
  ).catch(retryWith);
  if (refusal || !result) throw refusal ?? new CliError(`refund ${refundId} was not requested`);
  return { result, audit };
}

/** Whether a refund status is an end (SUCCEEDED, FAILED, NEEDS_ATTENTION). */
export const refundEnded = (status: RefundRecord['status']): boolean =>
  TERMINAL_REFUND_STATUSES.includes(status);

/**
 * Polls the refund's record until it ends or `timeoutMs` passes; `onStatus` hears each new status.
 * Answers the last record read (undefined when none was written yet).
 */
export async function waitForRefund(
  deps: OpsDeps,
  paymentId: string,
  refundId: string,
  options: { timeoutMs: number; pollMs?: number; onStatus?: (record: RefundRecord) => void },
): Promise<RefundRecord | undefined> {
  const store = refundsOf(deps);
  const until = Date.now() + options.timeoutMs;
  let last: RefundRecord | undefined;
  for (;;) {
    const record = await store.get(paymentId, refundId);
    if (record && record.status !== last?.status) options.onStatus?.(record);
    last = record ?? last;
    if ((record && refundEnded(record.status)) || Date.now() >= until) return last;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
}

/** The exit code of an ended (or unfinished) refund: 0 only when it SUCCEEDED. */
export function refundExitCode(record: RefundRecord | undefined): number {
  return record?.status === 'SUCCEEDED' ? EXIT.ok : EXIT.failure;
}

/** Every refund of a payment, for the console's payment page. */
export async function listRefunds(deps: OpsDeps, paymentId: string): Promise<RefundRecord[]> {
  return refundsOf(deps).list(paymentId);
}
