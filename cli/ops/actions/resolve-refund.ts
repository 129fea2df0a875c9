import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { PaymentGateway } from '../../../core/gateway/port';
import { Ledger, LedgerReader } from '../../../core/ledger';
import { PaymentRefundStore } from '../../../core/payments/refund-store';
import { PaymentsRepository } from '../../../core/payments/repository';
import { buildRefundOutcome } from '../../../core/refunds/outcome';
import type { RefundRecord } from '../../../core/refunds/record';
import { RefundResolutionStore } from '../../../core/refunds/resolution-store';
import {
  planRefundResolution,
  type RefundResolveAction,
  type RefundResolveDone,
  type RefundResolveFacts,
  type RefundResolvePlan,
  runRefundResolution,
} from '../../../core/refunds/resolve';
import { CliError, UsageError } from '../../errors';
import { financeGateway } from '../../finance/deps';
import type { OpsDeps } from '../deps';
import { countRefundCompensationMessages, deleteRefundCompensationMessages } from '../dlq-messages';
import { type AuditNote, runAudited } from './audited';

/**
 * `payctl refunds resolve` (one audited action, refunds.resolve): finishes or
 * releases a refund the refund saga parked (NEEDS_ATTENTION) with the saga's
 * own steps (core/refunds/resolve.ts), records the resolution once, publishes
 * the refund's outcome (RefundSucceeded / RefundFailed) for finance, and only
 * then deletes its compensation DLQ messages.
 */

export interface RefundResolveRequest {
  readonly action: RefundResolveAction;
  readonly reason?: string;
}

export interface RefundResolved {
  readonly plan: RefundResolvePlan;
  readonly done: RefundResolveDone;
  readonly recorded: boolean;
  readonly dlqMessagesDeleted: number;
  readonly audit: AuditNote;
}

export interface RefundResolveEnvironment {
  readonly gateway?: PaymentGateway;
  readonly now?: () => Date;
}

function validate(request: RefundResolveRequest): void {
  if ((request.reason?.length ?? 0) > 500) throw new UsageError('--reason: at most 500 characters');
}

async function factsOf(
  deps: OpsDeps,
  gateway: PaymentGateway,
  paymentId: string,
  refundId: string,
): Promise<RefundResolveFacts> {
  const { doc } = deps.clients;
  const refunds = new PaymentRefundStore(doc, deps.names.tables.payments);
  const [record, payment] = await Promise.all([
    refunds.get(paymentId, refundId),
    new PaymentsRepository(doc, deps.names.tables.payments).get(paymentId),
  ]);
  const reservation = payment?.refunds?.[refundId];
  const gatewayRefund =
    reservation && reservation.gatewayAmount > 0 && payment?.chargeId
      ? await gateway.findRefund({ paymentId, chargeId: payment.chargeId, refundId })
      : undefined;
  const entries = await new LedgerReader(doc, deps.names.tables.ledger).listPaymentEntries(paymentId, [
    refundId,
  ]);
  return {
    record,
    payment,
    reservation,
    gatewayRefund,
    reversalPosted: entries.some((entry) => entry.operation === 'refund_part'),
    parkedMessages: await countRefundCompensationMessages(deps, paymentId, refundId),
  };
}

/** What resolving will do (or why it refuses), from what the stores, the gateway and the DLQ hold now. */
export async function planRefundResolve(
  deps: OpsDeps,
  paymentId: string,
  refundId: string,
  request: RefundResolveRequest,
  env: RefundResolveEnvironment = {},
): Promise<RefundResolvePlan> {
  validate(request);
  const gateway = env.gateway ?? (await financeGateway(deps));
  return planRefundResolution(
    paymentId,
    refundId,
    await factsOf(deps, gateway, paymentId, refundId),
    request.action,
  );
}

async function publishOutcome(deps: OpsDeps, record: RefundRecord, done: RefundResolveDone, at: Date) {
  const refund = {
    schemaVersion: '1' as const,
    refundId: record.refundId,
    paymentId: record.paymentId,
    reason: record.reason,
    requestedAt: record.requestedAt,
  };
  const outcome = buildRefundOutcome(
    {
      outcome: done.release ? 'failed' : 'succeeded',
      saga: {
        refund,
        reserve: done.reserve,
        ...(done.gatewayRefund && { gatewayRefund: done.gatewayRefund }),
        ...(done.reversal && { reversal: done.reversal }),
        ...(done.release && {
          release: done.release,
          error: { Error: 'ManualResolution', Cause: 'released by a person: the gateway holds no refund' },
        }),
      },
      executionArn: record.executionArn,
    },
    { eventBusName: deps.names.eventBus, compensationDlqName: deps.names.queues.compensationDlq },
    at.toISOString(),
  );
  const result = await deps.clients.eventBridge.send(new PutEventsCommand({ Entries: outcome.entries }));
  if (result.FailedEntryCount)
    throw new CliError(`refund outcome not published: ${result.Entries?.[0]?.ErrorCode}`);
}

/** Resolves the refund as planned (the plan is made again just before acting), audited. */
export async function resolveRefund(
  deps: OpsDeps,
  paymentId: string,
  refundId: string,
  request: RefundResolveRequest,
  env: RefundResolveEnvironment = {},
): Promise<RefundResolved> {
  validate(request);
  const now = env.now ?? (() => new Date());
  const gateway = env.gateway ?? (await financeGateway(deps));
  const facts = await factsOf(deps, gateway, paymentId, refundId);
  const plan = planRefundResolution(paymentId, refundId, facts, request.action);
  if (plan.refusal || !facts.record || !facts.payment) throw new CliError(plan.refusal ?? 'refused');
  const { record, payment } = facts;
  const actor = await deps.identity();
  const reason = request.reason?.trim() || undefined;
  const { doc } = deps.clients;
  const audited = await runAudited(
    deps,
    { action: 'refunds.resolve', target: `refund ${refundId} of payment ${paymentId}` },
    async () => {
      const stepDeps = {
        refunds: new PaymentRefundStore(doc, deps.names.tables.payments, now),
        payments: new PaymentsRepository(doc, deps.names.tables.payments),
        ledger: new Ledger({ doc, tableName: deps.names.tables.ledger }),
        gateway,
        now,
      };
      const done = await runRefundResolution(stepDeps, plan, { ...facts, record, payment });
      const recorded = await new RefundResolutionStore(doc, deps.names.tables.payments).resolve(
        paymentId,
        refundId,
        done.release ? 'FAILED' : 'SUCCEEDED',
        { action: request.action, by: actor, at: now().toISOString(), ...(reason && { reason }) },
      );
      if (recorded) await publishOutcome(deps, record, done, now());
      const dlqMessagesDeleted = await deleteRefundCompensationMessages(deps, paymentId, refundId);
      const message = `${request.action}: ${done.release ? `released ${done.release.released}` : `refunded ${done.reserve.amount} (card ${done.reserve.gatewayAmount}, wallet ${done.reserve.walletAmount})`}; ${dlqMessagesDeleted} DLQ message(s) deleted${reason ? `; reason: ${reason}` : ''}`;
      return {
        result: { done, recorded, dlqMessagesDeleted },
        outcome: 'succeeded' as const,
        count: 1,
        message,
      };
    },
  );
  return { plan, ...audited.result, audit: audited.audit };
}
