import '../../../core/config/zod-locale';
import * as z from 'zod/mini';
import { PAYMENT_STATUSES } from '../../../core/payments/records';
import type { PaymentsQuery } from '../api-types';
import type { ConsoleReadData } from '../data/port';
import { consoleReadData } from '../data/read';
import type { ConsoleAccessApi } from '../handle-api';
import { blankToUndefined, Day, Decimal, notFound, ok, parse, type RouteTable } from './table';

/** The read routes (GET, but the action plans: ./act.ts): what the console shows. */

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

/** payctl wallets statement's window and paging (blank fields dropped). */
const StatementQuerySchema = z.object({
  from: z.pipe(z.transform(blankToUndefined), z.optional(z.string().check(z.maxLength(40)))),
  to: z.pipe(z.transform(blankToUndefined), z.optional(z.string().check(z.maxLength(40)))),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(200)), 50),
  cursor: z.pipe(z.transform(blankToUndefined), z.optional(z.string().check(z.maxLength(4096)))),
});

const RefundPlanQuery = z.object({ amount: z.pipe(z.transform(blankToUndefined), z.optional(Decimal)) });

/** How far back the failed-sagas and audit pages look. */
const DaysSchema = z.object({ days: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(366)), 14) });
const since = (url: URL) => new Date(Date.now() - parse(DaysSchema, url).days * 86_400_000);

/** Default period: the last 7 days up to today (UTC); parsePeriod (finance) validates it. */
function period(from: string | undefined, to: string | undefined): { from: string; to: string } {
  return { from: from ?? daysAgo(6), to: to ?? today() };
}

export const READ_ROUTES: RouteTable<ConsoleReadData> = {
  'GET meta': ({ meta }) => ok(meta),
  'GET payments': async ({ url, data }) => {
    const q = parse(PaymentsQuerySchema, url);
    const query: PaymentsQuery = { ...q, ...period(q.from, q.to) };
    return ok(await data.listPayments(query));
  },
  'GET payments :id': async ({ id, data }) => {
    const detail = await data.paymentDetail(id);
    return detail ? ok(detail) : notFound(`no payment ${id}: check the paymentId`);
  },
  'GET payments :id refunds': async ({ id, url, data }) =>
    ok(await data.paymentRefunds(id, parse(RefundPlanQuery, url).amount)),
  'GET payments :id webhooks': async ({ id, data }) => ok(await data.webhookDeliveries(id)),
  'GET dlqs': async ({ data }) => ok(await data.listDlqs()),
  'GET dlqs :id': async ({ id, url, data }) => {
    const limit = Math.min(50, Math.max(1, Number(url.searchParams.get('limit') ?? 10) || 10));
    return ok(await data.peekDlq(id, limit));
  },
  'GET sagas failed': async ({ url, data }) => ok(await data.failedSagas(since(url))),
  'GET volume': async ({ url, data }) => {
    const p = parse(PeriodSchema, url);
    const { from, to } = period(p.from, p.to);
    return ok(await data.dailyVolume(from, to));
  },
  'GET wallets :id': async ({ id, data }) => {
    const wallet = await data.walletDetail(id);
    return wallet ? ok(wallet) : notFound(`no wallet ${id}: check the walletId`);
  },
  'GET wallets :id transactions': async ({ id, url, data }) =>
    ok(await data.walletStatement(id, parse(StatementQuerySchema, url))),
  'GET audit': async ({ url, data }) => ok(await data.auditLog(since(url))),
};

/** The read function's API: these routes over these data functions (functions/console-api-read.ts). */
export const CONSOLE_READ_API: ConsoleAccessApi<ConsoleReadData> = {
  access: 'read',
  routes: READ_ROUTES,
  data: consoleReadData,
};
