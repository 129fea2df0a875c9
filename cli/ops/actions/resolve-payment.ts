import { SendMessageCommand } from '../../../core/aws/sqs';
import type { PaymentGateway } from '../../../core/gateway/port';
import { opContext, refund, refundCard, release } from '../../../core/ledger/operations';
import { holdOf } from '../../../core/ledger/reads';
import { DynamoPaymentLog } from '../../../core/payments/payment-log';
import type { PaymentResolution, ResolutionAction, ResolutionOutcome } from '../../../core/payments/records';
import { PaymentsRepository } from '../../../core/payments/repository';
import { notificationMessage, resolvedPaymentNotification } from '../../../core/saga/notification';
import type { RefundOutput, ReleaseOutput } from '../../../core/saga/state';
import { type CompensationDeps, refundCharge, releaseFunds } from '../../../core/saga/steps';
import { CliError, UsageError } from '../../errors';
import { financeGateway } from '../../finance/deps';
import type { OpsDeps } from '../deps';
import { deleteCompensationMessages } from '../dlq-messages';
import { clip } from '../format';
import { planResolution, type ResolveFacts, type ResolvePlan, resolveFacts } from '../resolve-plan';
import { type AuditNote, runAudited } from './audited';

/**
 * `payctl payments resolve` and the console's resolve action: finishes a
 * compensation the saga parked in the compensation DLQ with the saga's own
 * RefundCharge and ReleaseFunds functions (core/saga/steps.ts: the same
 * gateway key refund:<paymentId>, the same ledger operations, so resolving
 * never refunds twice), records the resolution on the payment once with the
 * merchant's outcome (resolve-outcome.ts: payment.failed when the money goes
 * back, payment.succeeded when the charge is kept; with --mark-resolved and
 * money standing taken, the operator says which), queues that webhook event
 * (the payment no longer ends silent),
 * deletes the DLQ message only after that, and audits it (payments.resolve).
 */

export interface ResolveRequest {
  readonly action: ResolutionAction;
  /** Why; required for mark_resolved, kept on the payment and in the audit record. */
  readonly reason?: string;
  /** What the merchant is told (--outcome); refused when it contradicts the gateway or the ledger. */
  readonly outcome?: ResolutionOutcome;
}

export interface ResolveResult {
  readonly paymentId: string;
  readonly action: ResolutionAction;
  /** True when the payment had been resolved before: nothing was done this time (but leftover DLQ messages). */
  readonly alreadyResolved: boolean;
  readonly resolution: PaymentResolution | undefined;
  readonly refund?: RefundOutput;
  readonly release?: ReleaseOutput;
  /** The webhook event queued for the merchant: payment.succeeded or payment.failed, and its id. */
  readonly notified?: { readonly kind: `payment.${ResolutionOutcome}`; readonly notificationId: string };
  readonly dlqMessagesDeleted: number;
}

export interface Resolved {
  /** What was looked at and planned just before acting. */
  readonly plan: ResolvePlan;
  readonly result: ResolveResult;
  /** The audit record's note; undefined when nothing was done (resolved before). */
  readonly audit?: AuditNote;
}

/** The gateway and a clock, injected by tests; payctl and the console use the stage's gateway secret. */
export interface ResolveEnvironment {
  readonly gateway?: PaymentGateway;
  readonly now?: () => Date;
}

function validate(request: ResolveRequest): void {
  if (request.action === 'mark_resolved' && !request.reason?.trim()) {
    throw new UsageError(
      '--mark-resolved needs --reason "...": say how it was resolved (kept on the payment and audited)',
    );
  }
  if ((request.reason?.length ?? 0) > 500) throw new UsageError('--reason: at most 500 characters');
}

/** Looks at the payment, its DLQ message, the gateway and the ledger: what resolving will do. */
export async function planResolve(
  deps: OpsDeps,
  paymentId: string,
  request: ResolveRequest,
  env: ResolveEnvironment = {},
): Promise<ResolvePlan> {
  validate(request);
  const gateway = env.gateway ?? (await financeGateway(deps));
  const facts = await resolveFacts(deps, gateway, paymentId, env.now?.() ?? new Date());
  return planResolution(facts, request.action, await deps.identity(), request.outcome);
}

function stepDeps(deps: OpsDeps, now: () => Date): CompensationDeps {
  const { doc } = deps.clients;
  // The compensations' three ledger operations and one read only (core/ledger/operations.ts, reads.ts),
  // as the Ledger and LedgerReader run them.
  const table = { doc, tableName: deps.names.tables.ledger };
  const ledger = opContext(table);
  return {
    ledger: {
      refund: (request) => refund(ledger, request),
      refundCard: (request) => refundCard(ledger, request),
      release: (request) => release(ledger, request),
    },
    ledgerReader: { holdOf: (walletId, paymentId) => holdOf(table, walletId, paymentId) },
    payments: new DynamoPaymentLog(doc, deps.names.tables.payments, now),
    now,
    // Only Reserve places holds; refund and release never read it.
    holdTtlSeconds: 0,
  };
}

/** RefundCharge then ReleaseFunds (--refund), or ReleaseFunds alone (--release), with the saga's state. */
async function undo(
  deps: OpsDeps,
  gateway: PaymentGateway,
  facts: ResolveFacts,
  action: ResolutionAction,
  now: () => Date,
): Promise<{ refund?: RefundOutput; release?: ReleaseOutput }> {
  const saga = facts.saga;
  if (action === 'mark_resolved' || !saga?.reserve) return {};
  const steps = stepDeps(deps, now);
  const base = {
    payment: saga.payment,
    reserve: saga.reserve,
    error: saga.error ??
      saga.compensationError ?? { Error: 'ManualResolution', Cause: 'payctl payments resolve' },
    executionArn: facts.payment.executionArn,
  };
  const refund =
    action === 'refund'
      ? await refundCharge({ ...steps, gateway }, { ...base, saga: { charge: saga.charge } })
      : undefined;
  // With no hold in the ledger there is nothing to release (ReleaseFunds would call that a fault).
  const hold = await steps.ledgerReader.holdOf(saga.payment.walletId, saga.payment.paymentId);
  const release = hold && !hold.tombstone ? await releaseFunds(steps, base) : undefined;
  return { ...(refund && { refund }), ...(release && { release }) };
}

/**
 * Queues the outcome a payment that needed attention never got, as recorded with its resolution
 * (payment.succeeded with the standing charge, else payment.failed; a resolution recorded before outcomes
 * were: failed, as was queued then). Before the DLQ message is deleted, so a run stopped here queues it on
 * the next run (the same notificationId and date: the fan-out dedupes).
 */
async function queueResolvedNotification(
  deps: OpsDeps,
  facts: ResolveFacts,
  resolution: PaymentResolution,
): Promise<NonNullable<ResolveResult['notified']>> {
  const chargeId = facts.charge.kind === 'one' ? facts.charge.chargeId : (facts.payment.chargeId ?? '');
  const notification = resolvedPaymentNotification(
    facts.payment,
    resolution.at,
    resolution.outcome === 'succeeded' ? { kind: 'succeeded', chargeId } : { kind: 'failed' },
  );
  await deps.clients.sqs.send(
    new SendMessageCommand(notificationMessage(await deps.queueUrl('notification'), notification)),
  );
  return { kind: notification.kind, notificationId: notification.notificationId };
}

function describe(result: ResolveResult, reason: string | undefined): string {
  const parts = [
    result.refund &&
      (result.refund.refundId
        ? `refund ${result.refund.refundId} ${result.refund.status}${result.refund.ledgerReversed ? ', settlement reversed' : ''}`
        : 'nothing charged: no refund'),
    result.release && `release ${result.release.outcome} (${result.release.releasedAmount} minor units)`,
    result.notified &&
      `outcome ${result.notified.kind} queued for the merchant's webhooks (${result.notified.notificationId})`,
    `${result.dlqMessagesDeleted} compensation DLQ message(s) deleted`,
    reason && `reason: ${reason}`,
  ];
  return clip(`${result.action}: ${parts.filter(Boolean).join('; ')}`, 2000);
}

/**
 * Resolves the payment as planned (the plan is made again here, just before
 * acting): refuses with the plan's refusal, does nothing for a payment
 * resolved before (but delete DLQ messages a stopped run left), audits what it did.
 */
export async function resolvePayment(
  deps: OpsDeps,
  paymentId: string,
  request: ResolveRequest,
  env: ResolveEnvironment = {},
): Promise<Resolved> {
  validate(request);
  const now = env.now ?? (() => new Date());
  const gateway = env.gateway ?? (await financeGateway(deps));
  const actor = await deps.identity();
  const facts = await resolveFacts(deps, gateway, paymentId, now());
  const plan = planResolution(facts, request.action, actor, request.outcome);
  if (plan.refusal) throw new CliError(plan.refusal);
  const reason = request.reason?.trim() || undefined;
  if (plan.alreadyResolved && facts.parked.length === 0) {
    const result = {
      paymentId,
      action: request.action,
      alreadyResolved: true,
      resolution: plan.alreadyResolved,
      dlqMessagesDeleted: 0,
    };
    return { plan, result };
  }
  const audited = await runAudited(
    deps,
    { action: 'payments.resolve', target: `payment ${paymentId}` },
    async () => {
      const done = plan.alreadyResolved ? {} : await undo(deps, gateway, facts, request.action, now);
      const recorded = plan.alreadyResolved
        ? { recorded: false, resolution: plan.alreadyResolved }
        : await new PaymentsRepository(deps.clients.doc, deps.names.tables.payments).recordResolution(
            paymentId,
            {
              action: request.action,
              by: actor,
              at: now().toISOString(),
              ...(reason && { reason }),
              ...(done.refund?.refundId && { refundId: done.refund.refundId }),
              ...(plan.merchant.outcome && { outcome: plan.merchant.outcome }),
            },
          );
      const notified = recorded.resolution
        ? await queueResolvedNotification(deps, facts, recorded.resolution)
        : undefined;
      const dlqMessagesDeleted = await deleteCompensationMessages(deps, paymentId);
      const result: ResolveResult = {
        paymentId,
        action: request.action,
        alreadyResolved: !recorded.recorded,
        resolution: recorded.resolution,
        ...done,
        ...(notified && { notified }),
        dlqMessagesDeleted,
      };
      return { result, outcome: 'succeeded', count: 1, message: describe(result, reason) };
    },
  );
  return { plan, result: audited.result, audit: audited.audit };
}
