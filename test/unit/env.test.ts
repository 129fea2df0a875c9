import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import '../../core/config/zod-locale';
import { ConfigurationError, ENV_KEYS, type EnvKey, readEnv } from '../../core/config/env';

// core/config/env.ts reads the environment with a table of rules instead of a zod schema (issue 18 goal 1:
// the schema cost 4-8 ms of every function's init). Validation must stay exactly as strict: the schema it
// replaced is the oracle here, on every setting, for values a deploy or a mistake could put there.

/** The schema core/config/env.ts had until it read the environment without zod (95e7c1a), verbatim. */
const ZOD_ORACLE = z.object({
  stage: z._default(z.string().check(z.minLength(1)), 'local'),
  ledgerTable: z.optional(z.string().check(z.minLength(1))),
  paymentsTable: z.optional(z.string().check(z.minLength(1))),
  idempotencyTable: z.optional(z.string().check(z.minLength(1))),
  eventBusName: z.optional(z.string().check(z.minLength(1))),
  stateMachineArn: z.optional(z.string().check(z.minLength(1))),
  topUpStateMachineArn: z.optional(z.string().check(z.minLength(1))),
  topUpIntakeDlqUrl: z.optional(z.string().check(z.minLength(1))),
  refundStateMachineArn: z.optional(z.string().check(z.minLength(1))),
  refundIntakeDlqUrl: z.optional(z.string().check(z.minLength(1))),
  intakeDlqUrl: z.optional(z.string().check(z.minLength(1))),
  notificationQueueUrl: z.optional(z.string().check(z.minLength(1))),
  gatewaySecretId: z.optional(z.string().check(z.minLength(1))),
  holdTtlSeconds: z._default(z.coerce.number().check(z.int(), z.positive()), 15 * 24 * 3600),
  gatewayTimeoutMs: z._default(z.coerce.number().check(z.int(), z.positive()), 10_000),
  gatewayMaxNetworkRetries: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(5)), 1),
  apiClients: z.optional(z.string().check(z.minLength(2))),
  webhookDeliveryQueueUrl: z.optional(z.string().check(z.minLength(1))),
  webhookDlqUrl: z.optional(z.string().check(z.minLength(1))),
  webhookKeyId: z.optional(z.string().check(z.minLength(1))),
  webhookUrlMode: z._default(z.enum(['aws', 'local']), 'aws'),
  webhookTimeScale: z._default(z.coerce.number().check(z.positive(), z.lte(1)), 1),
  historyBucket: z.optional(z.string().check(z.minLength(3))),
  paymentRecordTtlDays: z.optional(z.coerce.number().check(z.int(), z.positive())),
  importBucket: z.optional(z.string().check(z.minLength(3))),
  importSources: z.optional(z.string().check(z.minLength(2))),
});

/** What the oracle says of an environment: the settings, or refused. */
function oracle(source: NodeJS.ProcessEnv): Record<string, unknown> | 'refused' {
  const raw = Object.fromEntries(
    Object.entries(ENV_KEYS).map(([key, name]) => [key, source[name] || undefined]),
  );
  const parsed = ZOD_ORACLE.safeParse(raw);
  return parsed.success ? parsed.data : 'refused';
}

function read(source: NodeJS.ProcessEnv): Record<string, unknown> | 'refused' {
  try {
    return { ...readEnv(source) };
  } catch (error) {
    if (error instanceof ConfigurationError) return 'refused';
    throw error;
  }
}

/** Unset settings as absent keys on both sides (the oracle keeps a key for each, undefined). */
const defined = (settings: Record<string, unknown> | 'refused') =>
  settings === 'refused'
    ? settings
    : Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));

/** Values near every rule's edges: numbers in the forms Number() reads, lengths 0-3, the enum and near misses. */
const VALUE = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'a',
    'ab',
    'abc',
    '0',
    '-0',
    '1',
    '5',
    '6',
    '-1',
    '0.5',
    '1.0',
    '1.5',
    '.5',
    '5.',
    ' 2 ',
    '+3',
    '0x10',
    '0b11',
    '0o7',
    '1e3',
    '1e21',
    '1_000',
    'Infinity',
    '-Infinity',
    'NaN',
    '9007199254740991',
    '9007199254740992',
    'aws',
    'local',
    'AWS',
    'local ',
    '[]',
    '{}',
  ),
  fc.integer({ min: -10, max: 2_000_000 }).map(String),
  fc.double({ min: -2, max: 2, noNaN: true }).map(String),
  fc.string({ maxLength: 4 }),
);

const ENVIRONMENT = fc.dictionary(fc.constantFrom(...Object.values(ENV_KEYS)), VALUE, {
  maxKeys: Object.keys(ENV_KEYS).length,
});

describe('readEnv', () => {
  it('fills the defaults when nothing is set, and counts an empty variable as unset', () => {
    // Act
    const unset = readEnv({});
    const empty = readEnv({ [ENV_KEYS.stage]: '', [ENV_KEYS.holdTtlSeconds]: '' });

    // Assess
    for (const env of [unset, empty]) {
      expect(env).toMatchObject({
        stage: 'local',
        holdTtlSeconds: 15 * 24 * 3600,
        gatewayTimeoutMs: 10_000,
        gatewayMaxNetworkRetries: 1,
        webhookUrlMode: 'aws',
        webhookTimeScale: 1,
      });
      expect(env.ledgerTable).toBeUndefined();
      expect(env.paymentRecordTtlDays).toBeUndefined();
    }
  });

  it('reads numbers as numbers and names every variable that is wrong in one error', () => {
    // Act
    const env = readEnv({ [ENV_KEYS.gatewayTimeoutMs]: '2500', [ENV_KEYS.webhookTimeScale]: '0.01' });
    const refused = (() => {
      try {
        readEnv({
          [ENV_KEYS.holdTtlSeconds]: '1.5',
          [ENV_KEYS.gatewayMaxNetworkRetries]: '9',
          [ENV_KEYS.webhookUrlMode]: 'gcp',
          [ENV_KEYS.historyBucket]: 'ab',
        });
      } catch (error) {
        return error;
      }
    })();

    // Assess
    expect(env.gatewayTimeoutMs).toBe(2500);
    expect(env.webhookTimeScale).toBe(0.01);
    expect(refused).toBeInstanceOf(ConfigurationError);
    const message = (refused as Error).message;
    expect(message).toMatch(/^invalid environment: /);
    for (const part of [
      'HOLD_TTL_SECONDS must be an integer (it is "1.5")',
      'GATEWAY_MAX_NETWORK_RETRIES must be at most 5 (it is "9")',
      'WEBHOOK_URL_MODE must be one of aws, local (it is "gcp")',
      'HISTORY_BUCKET must be at least 3 characters long (it is "ab")',
    ]) {
      expect(message).toContain(part);
    }
  });

  it.each(Object.keys(ENV_KEYS) as EnvKey[])(
    'accepts, refuses and reads %s exactly as the zod schema it replaced',
    (key) => {
      // Prepare / Act / Assess: the one variable alone, each value of the edge list.
      fc.assert(
        fc.property(VALUE, (value) => {
          const source = { [ENV_KEYS[key]]: value };
          expect(defined(read(source))).toEqual(defined(oracle(source)));
        }),
        { numRuns: 300, seed: 20261205 },
      );
    },
  );

  it('reads whole environments exactly as the zod schema it replaced', () => {
    // Prepare / Act / Assess: several variables at once, right and wrong together.
    fc.assert(
      fc.property(ENVIRONMENT, (source) => {
        expect(defined(read(source))).toEqual(defined(oracle(source)));
      }),
      { numRuns: 2_000, seed: 20261205 },
    );
  });
});
