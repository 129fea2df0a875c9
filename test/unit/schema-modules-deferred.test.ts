import { describe, expect, it } from 'vitest';
import { deferredState } from '../../core/config/deferred-schema';

// Issue 18 goal 1 (init): the schema modules build no zod schema when a function imports them; each is
// built on its first use (core/config/deferred-schema.ts). Every function imports far more schemas than
// it parses (every event contract, every saga state): building them at import was much of each init.
const SCHEMA_MODULES: Readonly<Record<string, () => Promise<Record<string, unknown>>>> = {
  'events/index.ts': () => import('../../events/index'),
  'events/common.ts': () => import('../../events/common'),
  'core/saga/state.ts': () => import('../../core/saga/state'),
  'core/saga/timeline.ts': () => import('../../core/saga/timeline'),
  'core/saga/notification.ts': () => import('../../core/saga/notification'),
  'core/refunds/state.ts': () => import('../../core/refunds/state'),
  'core/refunds/record.ts': () => import('../../core/refunds/record'),
  'core/refunds/contract.ts': () => import('../../core/refunds/contract'),
  'core/topups/state.ts': () => import('../../core/topups/state'),
  'core/payments/records.ts': () => import('../../core/payments/records'),
  'core/ledger/inputs.ts': () => import('../../core/ledger/inputs'),
  'core/ledger/model.ts': () => import('../../core/ledger/model'),
  'core/history/timeline.ts': () => import('../../core/history/timeline'),
  'core/frontdoor/contract.ts': () => import('../../core/frontdoor/contract'),
  'core/wallets/contract.ts': () => import('../../core/wallets/contract'),
  'core/webhooks/model.ts': () => import('../../core/webhooks/model'),
  'core/webhooks/contract.ts': () => import('../../core/webhooks/contract'),
  'core/frontdoor/outbox.ts': () => import('../../core/frontdoor/outbox'),
  'core/frontdoor/api-request-store.ts': () => import('../../core/frontdoor/api-request-store'),
  'core/wallets/statement-query.ts': () => import('../../core/wallets/statement-query'),
  'core/gateway/stripe-resources.ts': () => import('../../core/gateway/stripe-resources'),
  'core/topups/store.ts': () => import('../../core/topups/store'),
};

/** A zod schema built at import: an object with zod's internals that is not a deferred one. */
const isEagerSchema = (value: unknown): boolean =>
  deferredState(value) === 'not deferred' && typeof value === 'object' && value !== null && '_zod' in value;

/** Not a deferred schema (asking its prototype would build it), and a plain object. */
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  deferredState(value) === 'not deferred' &&
  typeof value === 'object' &&
  value !== null &&
  Object.getPrototypeOf(value) === Object.prototype;

describe('schema modules', () => {
  it('build no schema at import: every exported schema is deferred and not built yet', async () => {
    // Act
    const modules = await Promise.all(
      Object.entries(SCHEMA_MODULES).map(async ([file, load]) => [file, await load()] as const),
    );

    // Assess
    const exported = modules.flatMap(([file, exports]) =>
      Object.entries(exports).flatMap(([name, value]) => [
        { where: `${file} ${name}`, value },
        // A plain object of schemas (core/wallets/statement-query.ts StatementQueryFields): each one too.
        ...Object.entries(isPlainObject(value) ? value : {}).map(([field, inner]) => ({
          where: `${file} ${name}.${field}`,
          value: inner,
        })),
      ]),
    );
    expect(exported.filter(({ value }) => isEagerSchema(value)).map(({ where }) => where)).toEqual([]);
    expect(
      exported.filter(({ value }) => deferredState(value) === 'built').map(({ where }) => where),
    ).toEqual([]);
    expect(exported.filter(({ value }) => deferredState(value) === 'not built').length).toBeGreaterThan(100);
  });

  it('build a schema on its first parse, which validates as strictly as the schema itself', async () => {
    // Prepare
    const { PostReversalInput, ReserveRefundOutput } = await import('../../core/refunds/state');
    const amount = { value: 500, currency: 'EUR', exponent: 2 };
    const input = {
      refund: {
        schemaVersion: '1',
        refundId: `r-${crypto.randomUUID()}`,
        paymentId: `p-${crypto.randomUUID()}`,
        amount,
        reason: 'customer asked',
        requestedAt: '2026-12-05T10:00:00Z',
      },
      executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:refunds:r-1',
      reserve: {
        amount: 500,
        currency: 'EUR',
        exponent: 2,
        walletAmount: 200,
        gatewayAmount: 300,
        walletId: 'w-1',
        merchantId: 'm-1',
        replayed: false,
      },
      gatewayRefund: { status: 'succeeded', gatewayRefundId: 're_1' },
    };

    // Act
    const accepted = PostReversalInput.safeParse(input);
    const extraKey = PostReversalInput.safeParse({ ...input, refund: { ...input.refund, extra: 1 } });
    const pan = PostReversalInput.safeParse({
      ...input,
      refund: { ...input.refund, reason: 'card 4242 4242 4242 4242' },
    });

    // Assess
    expect(accepted.success).toBe(true);
    expect(extraKey.success).toBe(false);
    expect(pan.success).toBe(false);
    expect(deferredState(PostReversalInput)).toBe('built');
    expect(deferredState(ReserveRefundOutput)).toBe('built');
  });
});
