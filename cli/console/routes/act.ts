import '../../../core/config/zod-locale';
import * as z from 'zod/mini';
import { RESOLUTION_ACTIONS, RESOLUTION_OUTCOMES } from '../../../core/payments/records';
import { RefundId } from '../../../events/refunds.v1';
import { UsageError } from '../../errors';
import { consoleActData } from '../data/act';
import type { ConsoleActData } from '../data/port';
import type { ConsoleAccessApi } from '../handle-api';
import { blankToUndefined, Decimal, ok, parse, type RouteTable } from './table';

/** The act routes: the audited actions (POST) and the plans their dialogs show (GET, core/config/console.ts CONSOLE_ACTION_PLANS). */

/** payctl dlq redrive's --include-rejected. */
const DlqRedriveBody = z.strictObject({ includeRejected: z._default(z.boolean(), false) });

/** payctl wallets adjust's --amount and --reason. */
const WalletAdjustBody = z.strictObject({
  amount: z.string().check(z.regex(/^-?\d+(\.\d+)?$/, 'a signed decimal like 12.50 or -3.00')),
  reason: z.string().check(z.minLength(1), z.maxLength(500)),
});

/** payctl payments resolve's --refund | --release | --mark-resolved, --reason and --outcome (POST body, or the plan's query). */
const ResolveBody = z.strictObject({
  action: z.enum(RESOLUTION_ACTIONS),
  reason: z.pipe(
    z.transform(blankToUndefined),
    z.optional(z.string().check(z.minLength(1), z.maxLength(500))),
  ),
  outcome: z.pipe(z.transform(blankToUndefined), z.optional(z.enum(RESOLUTION_OUTCOMES))),
});

/** payctl payments resolve-refund's <refundId>, --finish | --release and --reason (POST body, or the plan's query). */
const ResolveRefundBody = z.strictObject({
  refundId: RefundId,
  action: z.enum(['finish', 'release']),
  reason: z.pipe(
    z.transform(blankToUndefined),
    z.optional(z.string().check(z.minLength(1), z.maxLength(500))),
  ),
});

/** payctl payments refund's --amount (major units; all that is left when absent), --reason, --refund-id. */
const RefundBody = z.strictObject({
  amount: z.pipe(z.transform(blankToUndefined), z.optional(Decimal)),
  reason: z.string().check(z.trim(), z.minLength(1), z.maxLength(500)),
  refundId: z.pipe(z.transform(blankToUndefined), z.optional(RefundId)),
});

/** payctl webhooks resend's --endpoint (all subscribed endpoints when absent). */
const WebhookResendBody = z.strictObject({
  endpointId: z.pipe(
    z.transform(blankToUndefined),
    z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
  ),
});
const WebhookEventId = z
  .string()
  .check(z.regex(/^ntf_[0-9a-f]{32}$/, 'a webhook event id is ntf_ and 32 hex digits'));

/** The body parsed by `schema`, or the route's usage as a UsageError (400). */
function bodyOf<T>(schema: z.ZodMiniType<T>, body: unknown, usage: string): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new UsageError(usage);
  return parsed.data;
}

export const ACT_ROUTES: RouteTable<ConsoleActData> = {
  'GET payments :id resolve': async ({ id, url, data }) =>
    ok(await data.planResolve(id, parse(ResolveBody, url))),
  'POST payments :id resolve': async ({ id, body, data }) => {
    const request = bodyOf(
      ResolveBody,
      body,
      'a resolve takes { "action": "refund" | "release" | "mark_resolved", "reason": "..." (required for mark_resolved), "outcome"?: "succeeded" | "failed" (what the merchant is told) }',
    );
    return ok(await data.resolvePayment(id, request));
  },
  'GET payments :id resolve-refund': async ({ id, url, data }) =>
    ok(await data.planResolveRefund(id, parse(ResolveRefundBody, url))),
  'POST payments :id resolve-refund': async ({ id, body, data }) => {
    const request = bodyOf(
      ResolveRefundBody,
      body,
      'a refund resolve takes { "refundId": "...", "action": "finish" | "release", "reason"?: "..." }',
    );
    return ok(await data.resolveRefund(id, request));
  },
  'POST payments :id refunds': async ({ id, body, data }) => {
    const request = bodyOf(
      RefundBody,
      body,
      'a refund takes { "reason": "...", "amount"?: "7.50" (all that is left when absent), "refundId"?: "..." }',
    );
    return ok(await data.refundPayment(id, request));
  },
  'POST webhooks :id resend': async ({ id, body, data }) => {
    const eventId = WebhookEventId.safeParse(id);
    const parsed = WebhookResendBody.safeParse(body ?? {});
    if (!eventId.success || !parsed.success) {
      throw new UsageError('a resend is POST /api/webhooks/<ntf_ event id>/resend { "endpointId"?: "..." }');
    }
    return ok(await data.resendWebhook(eventId.data, parsed.data));
  },
  'GET dlqs :id plan': async ({ id, data }) => ok(await data.planDlqRedrive(id)),
  'POST dlqs :id redrive': async ({ id, body, data }) => {
    const request = bodyOf(DlqRedriveBody, body, 'a DLQ redrive takes { "includeRejected": true | false }');
    return ok(await data.redriveDlq(id, request));
  },
  'POST sagas :id redrive': async ({ id, data }) => ok(await data.redriveSaga(id)),
  'POST wallets :id adjust': async ({ id, body, data }) => {
    const request = bodyOf(
      WalletAdjustBody,
      body,
      'an adjustment takes { "amount": "12.50" or "-3.00", "reason": "..." }',
    );
    return ok(await data.adjustWallet(id, request));
  },
};

/** The act function's API: these routes over these data functions (functions/console-api-act.ts). */
export const CONSOLE_ACT_API: ConsoleAccessApi<ConsoleActData> = {
  access: 'act',
  routes: ACT_ROUTES,
  data: consoleActData,
};
