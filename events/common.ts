import '../core/config/zod-locale';
import * as z from 'zod/mini';
import { deferred } from '../core/config/deferred-schema';
import { CURRENCIES, type Currency, exponentOf, MAX_AMOUNT_MINOR } from '../core/money';
import { containsPan, findPanPaths } from '../core/pan';

/** The client's idempotency key; also the saga's execution name, so it fits Step Functions' name rules. */
export const PaymentId = deferred(() =>
  z
    .string()
    .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'paymentId must be 1-64 letters, digits, "-" or "_"')),
);

export const WalletId = deferred(() =>
  z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_:-]{0,63}$/, 'walletId must be 1-64 safe characters')),
);
export const MerchantId = deferred(() =>
  z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_:-]{0,63}$/, 'merchantId must be 1-64 safe characters')),
);

/** A PAN anywhere in free text is refused; the message never repeats the value. */
const noPan = (text: string) => !containsPan(text);
const PAN_MESSAGE = 'looks like a card number (PAN); paysaga accepts gateway payment-method tokens only';

export const FreeText = (max: number) => z.string().check(z.maxLength(max), z.refine(noPan, PAN_MESSAGE));

export const Amount = deferred(() =>
  z
    .strictObject({
      value: z
        .int('amount.value must be an integer number of minor units')
        .check(
          z.positive('amount.value must be greater than zero'),
          z.lte(MAX_AMOUNT_MINOR, `amount.value must be at most ${MAX_AMOUNT_MINOR} minor units`),
        ),
      currency: z.enum(
        CURRENCIES as [Currency, ...Currency[]],
        'amount.currency must be a supported ISO 4217 code',
      ),
      exponent: z.int().check(z.gte(0), z.lte(4)),
    })
    .check(
      z.refine((a) => a.exponent === exponentOf(a.currency), {
        message: 'amount.exponent does not match the ISO 4217 exponent of amount.currency',
        path: ['exponent'],
      }),
    ),
);

/** A gateway payment-method token (Stripe `pm_...`), never card data. */
export const PaymentMethod = deferred(() =>
  z
    .string()
    .check(
      z.regex(/^pm_[A-Za-z0-9_]{3,96}$/, 'paymentMethod must be a gateway payment-method token (pm_...)'),
      z.refine(noPan, PAN_MESSAGE),
    ),
);

export const METADATA_MAX_KEYS = 20;
export const Metadata = deferred(() =>
  z
    .record(
      z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,40}$/, 'metadata keys are 1-40 of [A-Za-z0-9_.-]')),
      FreeText(500),
    )
    .check(
      z.refine(
        (m) => Object.keys(m).length <= METADATA_MAX_KEYS,
        `metadata has at most ${METADATA_MAX_KEYS} keys`,
      ),
    ),
);

export const IsoDateTime = deferred(() => z.iso.datetime({ offset: true }));

export const SchemaVersion = deferred(() => z.literal('1'));

/** Refuses a PAN anywhere in an unparsed payload, before any field is read or logged. */
export function panPathsIn(payload: unknown): string[] {
  return findPanPaths(payload);
}

/**
 * Keys JavaScript gives meaning to. JSON.parse makes them plain data, but zod drops a `__proto__` key from
 * a record without a word, and an own `constructor` key makes the AWS SDK's DynamoDB marshaller refuse
 * the object (it reads `constructor` to tell a map from a class instance): a request with one in its
 * metadata would lose data or fail in a saga step. They are refused as keys anywhere in a request.
 */
export const RESERVED_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** Dotted paths of the objects that hold a reserved key (walked with its own stack: input may be deep). */
export function reservedKeyPaths(value: unknown): string[] {
  const found: string[] = [];
  const pending: Array<{ value: unknown; path: string }> = [{ value, path: '(root)' }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (!next.value || typeof next.value !== 'object') continue;
    for (const [key, child] of Object.entries(next.value)) {
      if (RESERVED_KEYS.includes(key)) found.push(`${next.path} (${key})`);
      pending.push({ value: child, path: `${next.path}.${key}` });
    }
  }
  return found;
}
