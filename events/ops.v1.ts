import '../core/config/zod-locale';
import * as z from 'zod/mini';
import { deferred } from '../core/config/deferred-schema';
import { FreeText, IsoDateTime, SchemaVersion } from './common';

/** What an operator did through payctl (or the console, through the same functions); wallets.adjust is finance's. */
export const OpsActionName = deferred(() =>
  z.enum([
    'dlq.redrive',
    'dlq.redrive.cancel',
    'dlq.purge',
    'sagas.redrive',
    'wallets.adjust',
    'webhooks.resend',
    'payments.resolve',
    'payments.refund',
    'refunds.resolve',
  ]),
);
export type OpsActionName = z.infer<typeof OpsActionName>;

/**
 * How it ended: succeeded (everything asked for was done), partial (some of
 * it), failed (none of it), cancelled (stopped by the operator midway).
 */
export const OpsActionOutcome = deferred(() => z.enum(['succeeded', 'partial', 'failed', 'cancelled']));
export type OpsActionOutcome = z.infer<typeof OpsActionOutcome>;

/**
 * OpsActionPerformed: one state-changing operations action, as its audit
 * record in the payments table says. Never carries card data or message bodies.
 */
export const OpsActionPerformedV1 = deferred(() =>
  z.object({
    schemaVersion: SchemaVersion,
    auditId: z.string().check(z.minLength(1), z.maxLength(100)),
    /** The caller's IAM identity ARN on AWS, `local:<os user>` on the local runtime. */
    actor: FreeText(500),
    action: OpsActionName,
    /** The queue name, execution ARN or selection the action applied to. */
    target: FreeText(1000),
    stage: z.string().check(z.minLength(1), z.maxLength(64)),
    /** How many items (messages, executions) the action changed. */
    count: z.int().check(z.gte(0)),
    outcome: OpsActionOutcome,
    /** What went wrong or was skipped, in a sentence. */
    message: z.optional(FreeText(2000)),
    occurredAt: IsoDateTime,
  }),
);
export type OpsActionPerformed = z.infer<typeof OpsActionPerformedV1>;
