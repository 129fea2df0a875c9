import '../../core/config/zod-locale';
import * as z from 'zod/mini';
import { PAYMENT_STATUSES, RESOLUTION_ACTIONS, RESOLUTION_OUTCOMES } from '../../core/payments/records';
import { RefundId } from '../../events/refunds.v1';
import { UsageError } from '../errors';
import type { ConsoleMeta, PaymentsQuery } from './api-types';
import type { ConsoleData } from './data/port';

/** The console's JSON API: parse the request, call the data function, answer. */

export interface ApiRequest {
  readonly method: string;
  readonly url: URL;
  /** The parsed JSON body of a POST. */
  readonly body?: unknown;
  readonly data: ConsoleData;
  readonly meta: ConsoleMeta;
}

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

const Day = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'a day is yyyy-mm-dd'));
const Decimal = z.string().check(z.regex(/^\d+(\.\d+)?$/, 'an amount is a decimal number like 12.50'));
const blankToUndefined = (value: unknown) => (value === '' || value === null ? undefined : value);

const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

const PaymentsQuerySchema = z.object({
  from: z.pipe(z.transform(blankToUndefined), z.optional(Day)),
  to: z.pipe(z.transform(blankToUndefined), z.optional(Day)),
  status: z.pipe(z.transform(blankToUndefined), z.optional(z.enum(PAYMENT_STATUSES))),
  currency: z.pipe(z.transform(blankToUndefined), z.optional(z.string().check(z.regex(/^[A-Z]{3}$/)))),
  minAmount: z.pipe(z.transform(blankToUndefined), z.optional(Decimal)),
  maxAmount: z.pipe(z.transform(blankToUndefined), z.optional(Decimal)),
  q: z.pipe(z.transform(blankToUndefined), z.optional(z.string().check(z.maxLength(200)))),
  offset: z._default(z.coerce.number().check(z.int(), z.gte(0)), 0),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(200)), 25),
});

const PeriodSchema = z.object({
  from: z.pipe(z.transform(blankToUndefined), z.optional(Day)),
  to: z.pipe(z.transform(blankToUndefined), z.optional(Day)),
});

/** payctl dlq redrive's --include-rejected. */
const DlqRedriveBody = z.strictObject({ includeRejected: z._default(z.boolean(), false) });

/** payctl wallets statement's window and paging (blank fields dropped). */
const StatementQuerySchema = z.object({
  from: z.pipe(z.transform(blankToUndefined), z.optional(z.string().check(z.maxLength(40)))),
  to: z.pipe(z.transform(blankToUndefined), z.optional(z.string().check(z.maxLength(40)))),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(200)), 50),
  cursor: z.pipe(z.transform(blankToUndefined), z.optional(z.string().check(z.maxLength(4096)))),
});

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
const RefundPlanQuery = z.object({ amount: z.pipe(z.transform(blankToUndefined), z.optional(Decimal)) });

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

/** How far back the failed-sagas and audit pages look. */
const DaysSchema = z.object({ days: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(366)), 14) });

function parse<T>(schema: z.ZodMiniType<T>, url: URL): T {
  const result = schema.safeParse(Object.fromEntries(url.searchParams));
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`);
    throw new UsageError(`bad query: ${problems.join('; ')}`);
  }
  return result.data;
}

/** Default period: the last 7 days up to today (UTC); parsePeriod (finance) validates it. */
function period(from: string | undefined, to: string | undefined): { from: string; to: string } {
  return { from: from ?? daysAgo(6), to: to ?? today() };
}

const ok = (body: unknown): ApiAnswer => ({ status: 200, body });
const notFound = (what: string): ApiAnswer => ({ status: 404, body: { error: what } });

export async function routeApi({ method, url, body, data, meta }: ApiRequest): Promise<ApiAnswer> {
  const parts = url.pathname.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
  const [resource, id, action] = parts;
  // `sagas/failed` is a list, not a paymentId.
  const literal = resource === 'sagas' && id === 'failed' && action === undefined;
  const route = literal
    ? `${method} sagas failed`
    : `${method} ${resource ?? ''}${id === undefined ? '' : ' :id'}${action === undefined ? '' : ` ${action}`}`;

  switch (route) {
    case 'GET meta':
      return ok(meta);
    case 'GET payments': {
      const q = parse(PaymentsQuerySchema, url);
      const query: PaymentsQuery = { ...q, ...period(q.from, q.to) };
      return ok(await data.listPayments(query));
    }
    case 'GET payments :id': {
      const detail = await data.paymentDetail(id ?? '');
      return detail ? ok(detail) : notFound(`no payment ${id}: check the paymentId`);
    }
    case 'GET payments :id resolve':
      return ok(await data.planResolve(id ?? '', parse(ResolveBody, url)));
    case 'POST payments :id resolve': {
      const parsed = ResolveBody.safeParse(body ?? {});
      if (!parsed.success) {
        throw new UsageError(
          'a resolve takes { "action": "refund" | "release" | "mark_resolved", "reason": "..." (required for mark_resolved), "outcome"?: "succeeded" | "failed" (what the merchant is told) }',
        );
      }
      return ok(await data.resolvePayment(id ?? '', parsed.data));
    }
    case 'GET payments :id resolve-refund':
      return ok(await data.planResolveRefund(id ?? '', parse(ResolveRefundBody, url)));
    case 'POST payments :id resolve-refund': {
      const parsed = ResolveRefundBody.safeParse(body ?? {});
      if (!parsed.success) {
        throw new UsageError(
          'a refund resolve takes { "refundId": "...", "action": "finish" | "release", "reason"?: "..." }',
        );
      }
      return ok(await data.resolveRefund(id ?? '', parsed.data));
    }
    case 'GET payments :id refunds':
      return ok(await data.paymentRefunds(id ?? '', parse(RefundPlanQuery, url).amount));
    case 'POST payments :id refunds': {
      const parsed = RefundBody.safeParse(body ?? {});
      if (!parsed.success) {
        throw new UsageError(
          'a refund takes { "reason": "...", "amount"?: "7.50" (all that is left when absent), "refundId"?: "..." }',
        );
      }
      return ok(await data.refundPayment(id ?? '', parsed.data));
    }
    case 'GET payments :id webhooks':
      return ok(await data.webhookDeliveries(id ?? ''));
    case 'POST webhooks :id resend': {
      const eventId = WebhookEventId.safeParse(id);
      const parsed = WebhookResendBody.safeParse(body ?? {});
      if (!eventId.success || !parsed.success) {
        throw new UsageError(
          'a resend is POST /api/webhooks/<ntf_ event id>/resend { "endpointId"?: "..." }',
        );
      }
      return ok(await data.resendWebhook(eventId.data, parsed.data));
    }
    case 'GET dlqs':
      return ok(await data.listDlqs());
    case 'GET dlqs :id': {
      const limit = Math.min(50, Math.max(1, Number(url.searchParams.get('limit') ?? 10) || 10));
      return ok(await data.peekDlq(id ?? '', limit));
    }
    case 'GET dlqs :id plan':
      return ok(await data.planDlqRedrive(id ?? ''));
    case 'POST dlqs :id redrive': {
      const parsed = DlqRedriveBody.safeParse(body ?? {});
      if (!parsed.success) throw new UsageError('a DLQ redrive takes { "includeRejected": true | false }');
      return ok(await data.redriveDlq(id ?? '', parsed.data));
    }
    case 'GET sagas failed':
      return ok(await data.failedSagas(new Date(Date.now() - parse(DaysSchema, url).days * 86_400_000)));
    case 'POST sagas :id redrive':
      return ok(await data.redriveSaga(id ?? ''));
    case 'GET volume': {
      const p = parse(PeriodSchema, url);
      const { from, to } = period(p.from, p.to);
      return ok(await data.dailyVolume(from, to));
    }
    case 'GET wallets :id': {
      const wallet = await data.walletDetail(id ?? '');
      return wallet ? ok(wallet) : notFound(`no wallet ${id}: check the walletId`);
    }
    case 'GET wallets :id transactions': {
      const q = parse(StatementQuerySchema, url);
      return ok(await data.walletStatement(id ?? '', q));
    }
    case 'POST wallets :id adjust': {
      const parsed = WalletAdjustBody.safeParse(body ?? {});
      if (!parsed.success) {
        throw new UsageError('an adjustment takes { "amount": "12.50" or "-3.00", "reason": "..." }');
      }
      return ok(await data.adjustWallet(id ?? '', parsed.data));
    }
    case 'GET audit': {
      return ok(await data.auditLog(new Date(Date.now() - parse(DaysSchema, url).days * 86_400_000)));
    }
    default:
      return notFound(`no API route ${method} ${url.pathname}`);
  }
}
