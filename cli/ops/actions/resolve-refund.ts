import { PutEventsCommand } from '../../../core/aws/eventbridge';
import { SendMessageCommand } from '../../../core/aws/sqs';
import type { PaymentGateway } from '../../../core/gateway/port';
import { refundPartKey } from '../../../core/ledger/keys';
import { opContext, postRefundPart } from '../../../core/ledger/operations';
import { paymentEntries, walletOf } from '../../../core/ledger/reads';
import { PaymentRefundStore } from '../../../core/payments/refund-store';
import { PaymentsRepository } from '../../../core/payments/repository';
import { buildRefundOutcome } from '../../../core/refunds/outcome';
import type { RefundRecord } from '../../../core/refunds/record';
import { refundRequestOf } from '../../../core/refunds/request';
import { type RefundResolution, RefundResolutionStore } from '../../../core/refunds/resolution-store';
import {
  planRefundResolution,
  type RefundResolveAction,
  type RefundResolveDone,
  type RefundResolveFacts,
  type RefundResolvePlan,
  runRefundResolution,
} from '../../../core/refunds/resolve';
import type { RefundRecordOutcomeInput, ReserveRefundOutput } from '../../../core/refunds/state';
import { reservation as reserveOutputOf } from '../../../core/refunds/steps';
import { notificationMessage, refundOutcomeNotification } from '../../../core/saga/notification';
import { CliError, UsageError } from '../../errors';
import { financeGateway } from '../../finance/deps';
import type { OpsDeps } from '../deps';
import { countRefundCompensationMessages, deleteRefundCompensationMessages } from '../dlq-messages';
import { type AuditNote, runAudited } from './audited';

/**
 * `payctl payments resolve-refund` (one audited action, refunds.resolve):
 * finishes or releases a refund the refund saga parked (NEEDS_ATTENTION; or a
 * FAILED one whose reservation was left held: release) with the saga's own
 * steps (core/refunds/resolve.ts). The action is claimed before any step runs
 * (two people can never finish and release one refund), the resolution is
 * recorded once, then announced as the saga would (RefundSucceeded /
 * RefundFailed, refund.succeeded / refund.failed), and only then are its
 * compensation DLQ messages deleted. A run that stopped midway is run again
 * with the same action: the steps are idempotent, the announcement deduplicated.
 */

export interface RefundResolveRequest {
  readonly action: RefundResolveAction;
  readonly reason?: string;
}

export interface RefundResolved {
  readonly plan: RefundResolvePlan;
  readonly done: RefundResolveDone;
  /** False when it had been resolved before with this action: only announced again. */
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
  const [record, payment] = await Promise.all([
    new PaymentRefundStore(doc, deps.names.tables.payments).get(paymentId, refundId),
    new PaymentsRepository(doc, deps.names.tables.payments).get(paymentId),
  ]);
  const reservation = payment?.refunds?.[refundId];
  const gatewayRefund =
    reservation && reservation.gatewayAmount > 0 && payment?.chargeId
      ? await gateway.findRefund({ paymentId, chargeId: payment.chargeId, refundId })
      : undefined;
  const ledger = { doc, tableName: deps.names.tables.ledger };
  const entries = await paymentEntries(ledger, paymentId, [refundId]);
  // A reversal stopped midway has credited the wallet (its marker) before its journal entry: posted too.
  const wallet = payment ? await walletOf(ledger, payment.walletId) : undefined;
  return {
    record,
    payment,
    reservation,
    gatewayRefund,
    reversalPosted:
      entries.some((entry) => entry.operation === 'refund_part') ||
      wallet?.refunds?.[refundPartKey(paymentId, refundId)] !== undefined,
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
  const facts = await factsOf(deps, gateway, paymentId, refundId);
  return planRefundResolution(paymentId, refundId, facts, request.action);
}

/**
 * Announces a resolved refund as the saga would have: its outcome event for finance and the merchant's
 * webhook (the notificationId the saga's RecordOutcome would use, dated by the resolution: deduplicated).
 */
async function announce(
  deps: OpsDeps,
  record: RefundRecord,
  reserve: ReserveRefundOutput,
  resolution: RefundResolution,
): Promise<void> {
  const finished = resolution.action === 'finish';
  const input: RefundRecordOutcomeInput = {
    outcome: finished ? 'succeeded' : 'failed',
    saga: {
      refund: refundRequestOf(record),
      reserve,
      ...(finished && {
        gatewayRefund: record.gatewayRefundId
          ? { status: 'succeeded' as const, gatewayRefundId: record.gatewayRefundId }
          : { status: 'not_needed' as const },
      }),
      ...(!finished && {
        error: {
          Error: 'ManualResolution',
          Cause: `released by ${resolution.by}: the gateway holds no refund`,
        },
      }),
    },
    executionArn: record.executionArn,
  };
  const outcome = buildRefundOutcome(
    input,
    { eventBusName: deps.names.eventBus, compensationDlqName: deps.names.queues.compensationDlq },
    resolution.at,
  );
  const result = await deps.clients.eventBridge.send(new PutEventsCommand({ Entries: outcome.entries }));
  if (result.FailedEntryCount) {
    throw new CliError(
      `refund outcome not published (${result.Entries?.[0]?.ErrorCode}); run the same command again`,
    );
  }
  const notification = refundOutcomeNotification(input, outcome, resolution.at);
  if (notification) {
    const queueUrl = await deps.queueUrl('notification');
    await deps.clients.sqs.send(new SendMessageCommand(notificationMessage(queueUrl, notification)));
  }
}

/** Claims the action, runs the saga's steps, records the resolution once; answers what was done. */
async function settle(
  deps: OpsDeps,
  gateway: PaymentGateway,
  plan: RefundResolvePlan,
  facts: RefundResolveFacts & {
    readonly record: RefundRecord;
    readonly payment: NonNullable<RefundResolveFacts['payment']>;
  },
  resolution: RefundResolution,
  now: () => Date,
): Promise<RefundResolveDone> {
  const { doc } = deps.clients;
  const { paymentId, refundId, action } = plan;
  const resolutions = new RefundResolutionStore(doc, deps.names.tables.payments);
  if (!(await resolutions.claim(paymentId, refundId, { action, by: resolution.by, at: resolution.at }))) {
    throw new CliError(`refund ${refundId} is being resolved, or was resolved, by someone else: look again`);
  }
  const done = await runRefundResolution(
    {
      refunds: new PaymentRefundStore(doc, deps.names.tables.payments, now),
      payments: new PaymentsRepository(doc, deps.names.tables.payments),
      // The refund part alone (core/ledger/operations.ts), as the Ledger runs it.
      ledger: {
        refundPart: (request) =>
          postRefundPart(opContext({ doc, tableName: deps.names.tables.ledger }), request),
      },
      gateway,
      now,
    },
    plan,
    facts,
  );
  if (
    !(await resolutions.resolve(
      paymentId,
      refundId,
      action === 'release' ? 'FAILED' : 'SUCCEEDED',
      resolution,
    ))
  ) {
    const current = await new PaymentRefundStore(doc, deps.names.tables.payments).get(paymentId, refundId);
    if (current?.resolution?.action !== action) {
      throw new CliError(`refund ${refundId} was resolved by someone else meanwhile: look again`);
    }
  }
  return done;
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
  const { record, payment, reservation } = facts;
  if (plan.refusal || !record || !payment || !reservation) throw new CliError(plan.refusal ?? 'refused');
  const reason = request.reason?.trim() || undefined;
  const audited = await runAudited(
    deps,
    { action: 'refunds.resolve', target: `refund ${refundId} of payment ${paymentId}` },
    async () => {
      const wanted: RefundResolution = plan.alreadyResolved ?? {
        action: request.action,
        by: await deps.identity(),
        at: now().toISOString(),
        ...(reason && { reason }),
      };
      const done = plan.alreadyResolved
        ? { reserve: reserveOutputOf(payment, reservation, true) }
        : await settle(deps, gateway, plan, { ...facts, record, payment }, wanted, now);
      const latest =
        (await new PaymentRefundStore(deps.clients.doc, deps.names.tables.payments).get(
          paymentId,
          refundId,
        )) ?? record;
      await announce(deps, latest, done.reserve, latest.resolution ?? wanted);
      const dlqMessagesDeleted = await deleteRefundCompensationMessages(deps, paymentId, refundId);
      const what = plan.alreadyResolved
        ? 'resolved before: announced again'
        : done.release
          ? `released ${done.release.released}`
          : `refunded ${done.reserve.amount} (card ${done.reserve.gatewayAmount}, wallet ${done.reserve.walletAmount})`;
      return {
        result: { done, recorded: !plan.alreadyResolved, dlqMessagesDeleted },
        outcome: 'succeeded' as const,
        count: 1,
        message: `${request.action}: ${what}; ${dlqMessagesDeleted} DLQ message(s) deleted${reason ? `; reason: ${reason}` : ''}`,
      };
    },
  );
  return { plan, ...audited.result, audit: audited.audit };
}
