import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_INIT_OVER_HELLO_WORLD_MS, initMsFrom, RUNTIME_INIT_MS } from '../../bench/cost-assumptions';
import { type Assumptions, COST_LINES, costOf, perMillion, type Usage } from '../../bench/cost-model';
import { PRICES_USD } from '../../bench/cost-prices';
import { FUNCTION_KEYS, FUNCTIONS, type FunctionKey } from '../../core/config/names';

/**
 * Issue 18 goal 4: the arithmetic of `npm run bench:cost` (bench/cost-model.ts), known units -> known
 * dollars per million sagas, line by line, so a dropped line or a price on the wrong unit fails here.
 * reserve is a 512 MB function and notify a 256 MB one (core/config/names.ts).
 */
const zeroMs = Object.fromEntries(FUNCTION_KEYS.map((k) => [k, 0])) as Record<FunctionKey, number>;

const usage: Usage = {
  stateTransitions: 7,
  lambda: { reserve: 1, notify: 2 },
  dynamo: { requests: { PutItem: 3 }, refusedWrites: 1, writeUnits: 12, indexWriteUnits: 4, readUnits: 10.5 },
  sqsRequests: 4,
  eventBridgeEvents: 2,
  s3PutRequests: 1,
  s3GetRequests: 5,
  kmsRequests: 3,
};

const assumptions: Assumptions = {
  durationMs: { ...zeroMs, reserve: 100, notify: 50 },
  initMs: { ...zeroMs, reserve: 200, notify: 100 },
  coldStartShare: 0.5,
  readsSecretOnColdStart: new Set<FunctionKey>(['reserve']),
};

describe('bench:cost arithmetic (issue 18 goal 4)', () => {
  it('prices every line of a known saga to known dollars per million', () => {
    // Prepare
    expect(FUNCTIONS.reserve.memoryMb).toBe(512);
    expect(FUNCTIONS.notify.memoryMb).toBe(256);

    // Act
    const cost = costOf(usage, assumptions);
    const perMillionUsd = Object.fromEntries(
      Object.entries(cost.lines).map(([line, usd]) => [line, Number(perMillion(usd).toFixed(6))]),
    );

    // Assess
    // duration: 1 x 0.5 GB x 0.1 s + 2 x 0.25 GB x 0.05 s = 0.075 GB-s; init: half the invocations are cold,
    // 0.5 x 0.5 GB x 0.2 s + 1 x 0.25 GB x 0.1 s = 0.075 GB-s; secret: reserve's 0.5 cold starts.
    expect(perMillionUsd).toEqual({
      'Step Functions state transitions': 175,
      'Lambda requests': 0.6,
      'Lambda duration (arm64 GB-s)': 1.000005,
      'Lambda init per cold start (arm64 GB-s)': 1.000005,
      'DynamoDB writes (WRU, tables)': 7.5,
      'DynamoDB writes (WRU, indexes)': 2.5,
      'DynamoDB reads (RRU)': 1.3125,
      'SQS requests': 1.6,
      'EventBridge events': 2,
      'S3 PUT/LIST (history archive)': 5,
      'S3 GET/HEAD (history archive)': 2,
      'KMS requests': 9,
      'Secrets Manager (gateway secret per cold start)': 2.5,
    });
    expect(perMillion(cost.total)).toBeCloseTo(211.01251, 5);
    expect(cost).toMatchObject({ lambdaRequests: 3, coldStarts: 1.5, secretReads: 0.5 });
    expect(cost.gbSeconds).toBeCloseTo(0.075, 12);
    expect(cost.initGbSeconds).toBeCloseTo(0.075, 12);
  });

  it('the total is the sum of every line, and the init line follows the cold-start share', () => {
    // Prepare
    const warm = { ...assumptions, coldStartShare: 0 };
    const allCold = { ...assumptions, coldStartShare: 1 };

    // Act
    const [none, half, all] = [warm, assumptions, allCold].map((a) => costOf(usage, a));

    // Assess
    for (const cost of [none, half, all]) {
      expect(Object.keys(cost?.lines ?? {})).toEqual([...COST_LINES]);
      expect(cost?.total).toBeCloseTo(
        COST_LINES.reduce((sum, line) => sum + (cost?.lines[line] ?? 0), 0),
        15,
      );
    }
    expect(none?.lines['Lambda init per cold start (arm64 GB-s)']).toBe(0);
    expect(none?.lines['Secrets Manager (gateway secret per cold start)']).toBe(0);
    // Every invocation cold: 1 x 0.5 x 0.2 + 2 x 0.25 x 0.1 = 0.15 GB-s.
    expect(all?.lines['Lambda init per cold start (arm64 GB-s)']).toBeCloseTo(
      0.15 * PRICES_USD.lambdaArmGbSecond,
      15,
    );
    expect((all?.total ?? 0) - (none?.total ?? 0)).toBeCloseTo(
      0.15 * PRICES_USD.lambdaArmGbSecond + 1 * PRICES_USD.secretsManagerCall,
      15,
    );
  });

  it('bills init per cold start from bench:lambda --json output (npm header included), else the stated default', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'bench-cost-init-'));
    const file = join(dir, 'lambda.json');
    const output = {
      date: '2026-12-05T08:00:00.000Z',
      functions: [
        { function: 'charge', initOverBareMs: 52, initOverHelloWorldMs: 40.5 },
        { function: 'consoleApi-read', initOverBareMs: 60, initOverHelloWorldMs: 50 },
        { function: 'notify', initOverBareMs: 3, initOverHelloWorldMs: -2 },
      ],
    };
    writeFileSync(
      file,
      `\n> paysaga@0.1.0 bench:lambda\n> tsx bench/lambda.ts --json\n\n${JSON.stringify(output)}\n`,
    );

    // Act
    const measured = initMsFrom({ lambdaJsonPath: file });
    const stated = initMsFrom({});
    const flagged = initMsFrom({ initOverHelloWorldMs: 30 });
    rmSync(dir, { recursive: true, force: true });

    // Assess
    expect(measured.initMs.charge).toBe(RUNTIME_INIT_MS + 40.5);
    expect(measured.initMs.reserve).toBe(RUNTIME_INIT_MS + DEFAULT_INIT_OVER_HELLO_WORLD_MS);
    expect(measured.initMs.notify).toBe(RUNTIME_INIT_MS);
    expect(stated.initMs.notify).toBe(RUNTIME_INIT_MS + DEFAULT_INIT_OVER_HELLO_WORLD_MS);
    expect(flagged.initMs.settle).toBe(RUNTIME_INIT_MS + 30);
  });
});
