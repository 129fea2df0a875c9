/**
 * What `npm run bench:cost` cannot measure offline, stated in one place: billed durations, billed init per
 * cold start, the cold-start share, and which functions read the gateway secret when they start.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { FUNCTION_KEYS, FUNCTIONS, type FunctionKey } from '../core/config/names';
import type { Assumptions } from './cost-model';

/** Billed duration assumed per invocation (ms): gateway steps wait on Stripe, the rest on DynamoDB. */
export const ASSUMED_DURATION_MS: Record<FunctionKey, number> = {
  intake: 80,
  reserve: 60,
  charge: 450,
  settle: 60,
  notify: 40,
  releaseFunds: 60,
  refundCharge: 450,
  recordOutcome: 40,
  archiveHistory: 150,
  sweepHolds: 2_000,
  apiSubmit: 60,
  publishOutbox: 40,
  apiRead: 40,
  apiWalletsWrite: 60,
  apiWalletsRead: 40,
  topUpIntake: 80,
  topUpCharge: 450,
  topUpCredit: 60,
  topUpRefund: 450,
  topUpRecordOutcome: 40,
  apiTopUpSubmit: 60,
  apiTopUpRead: 40,
  webhookFanout: 60,
  webhookDeliver: 300,
  apiWebhooks: 60,
  refundIntake: 80,
  refundReserve: 60,
  refundAtGateway: 450,
  refundPostReversal: 60,
  refundRelease: 60,
  refundRecordOutcome: 40,
  apiRefunds: 60,
  // One import file of 1,000 rows (a lookup per row, a PutEvents per 10); not part of a saga's cost.
  importCsv: 20_000,
};

/**
 * A hello-world handler's billed init (ms): a hello-world nodejs22.x arm64 function's Init Duration
 * (~118 ms, the published figure issue 18 quotes). Our module evaluation comes on top of it: what
 * `npm run bench:lambda` measures as a function's init over a hello-world ESM handler.
 */
export const RUNTIME_INIT_MS = 118;

/**
 * Our module evaluation per cold start when no `bench:lambda --json` output is given (ms): the slowest
 * function of BENCHMARKS.md "Issue 18 goal 1" after (782b510: 73-103 ms over bare Node), rounded up.
 */
export const DEFAULT_INIT_OVER_HELLO_WORLD_MS = 104;

/**
 * Share of invocations that are cold starts: AWS's analysis of production workloads puts INITs "typically
 * under 1 % of invocations" (AWS Compute Blog, "AWS Lambda standardizes billing for INIT Phase", 2025); at
 * 1 M payments a month (~0.4/s) every saga function sees a request every few seconds and stays warm, so 1 %
 * is on the high side outside scale-out bursts.
 */
export const DEFAULT_COLD_START_SHARE = 0.01;

/** The part of `npm run bench:lambda -- --json` this reads. */
const LambdaBench = z.object({
  date: z.string(),
  functions: z.array(
    z.object({
      function: z.string(),
      // Over a hello-world ESM handler since fae35d3; older outputs have only the figure over bare Node.
      initOverHelloWorldMs: z.number().optional(),
      initOverBareMs: z.number(),
    }),
  ),
});
const isFunctionKey = (name: string): name is FunctionKey =>
  (FUNCTION_KEYS as readonly string[]).includes(name);

/** Billed init per function: the runtime's share plus our evaluation (one figure, or bench:lambda's per function). */
export function initMsFrom(options: { initOverHelloWorldMs?: number; lambdaJsonPath?: string }): {
  initMs: Record<FunctionKey, number>;
  source: string;
} {
  const uniform = options.initOverHelloWorldMs ?? DEFAULT_INIT_OVER_HELLO_WORLD_MS;
  const initMs = Object.fromEntries(FUNCTION_KEYS.map((k) => [k, RUNTIME_INIT_MS + uniform])) as Record<
    FunctionKey,
    number
  >;
  if (!options.lambdaJsonPath) {
    const how = options.initOverHelloWorldMs === undefined ? 'default' : '--init-over-hello-ms';
    return { initMs, source: `${RUNTIME_INIT_MS} + ${uniform} ms for every function (${how})` };
  }
  const text = readFileSync(options.lambdaJsonPath, 'utf8');
  const bench = LambdaBench.parse(JSON.parse(text.slice(text.indexOf('{'))));
  for (const f of bench.functions) {
    // Below the hello world (noise on a fast function) bills the hello world's init, not less.
    if (isFunctionKey(f.function))
      initMs[f.function] = RUNTIME_INIT_MS + Math.max(0, f.initOverHelloWorldMs ?? f.initOverBareMs);
  }
  return {
    initMs,
    source: `${RUNTIME_INIT_MS} ms + each function's init over a hello-world handler from ${options.lambdaJsonPath} (bench:lambda of ${bench.date})`,
  };
}

/** Functions whose entry builds the gateway (functions/commons/gateway.ts: one GetSecretValue per cold start). */
export function gatewaySecretReaders(): Set<FunctionKey> {
  return new Set(
    FUNCTION_KEYS.filter((key) =>
      /from '\.\/commons\/gateway'/.test(
        readFileSync(new URL(`../${FUNCTIONS[key].entry}`, import.meta.url), 'utf8'),
      ),
    ),
  );
}

export function assumptions(options: {
  initOverHelloWorldMs?: number;
  lambdaJsonPath?: string;
  coldStartShare?: number;
}): Assumptions & { initSource: string } {
  const { initMs, source } = initMsFrom(options);
  const coldStartShare = options.coldStartShare ?? DEFAULT_COLD_START_SHARE;
  if (!(coldStartShare >= 0 && coldStartShare <= 1)) throw new RangeError('--cold-share must be within 0..1');
  return {
    durationMs: ASSUMED_DURATION_MS,
    initMs,
    coldStartShare,
    readsSecretOnColdStart: gatewaySecretReaders(),
    initSource: source,
  };
}
