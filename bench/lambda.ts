/**
 * npm run bench:lambda -- [--runs 15] [--json] [--instructions] [--lower-bound]
 *
 * Bundles every function exactly as `sst deploy` does (an offline synth with
 * bundling: esbuild, minified, tree-shaken, one ESM file each; the console's two
 * API functions included), then reports each bundle's size and its init time:
 * the wall time of a fresh Node process that imports the bundle, minus that of
 * a reference, medians of interleaved runs in the same session (so machine load
 * hits all alike).
 *
 * Two references are timed in the same runs: bare `node -e 0`, and a hello-world
 * ESM handler (`export const handler = async () => ...`, what the published
 * "hello-world nodejs22.x init" figure is made of). Every ESM handler pays Node's
 * ESM loader before its first line; that column shows what our bundle adds over
 * that hello world. The budget is the issue's: init over bare Node. A third row, the floor, is a handler that only loads what any
 * function calling AWS must (node:https with node:http, node:crypto for SigV4).
 *
 * --lower-bound also times, in the same runs, two bundles per function that are not deployable
 * (bench/lambda-bound.ts): the same entry with Powertools and middy stubbed out, and with zod stubbed out
 * too. They bound what any leaner replacement of those could reach.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { LAMBDA_BUDGET } from '../stacks/bundling';
import { synthesizeOffline } from '../stacks/offline-synth';
import { buildLowerBounds, LOWER_BOUNDS, type LowerBound } from './lambda-bound';
import {
  type DeployedFunction,
  deployedFunctions,
  lambdaEnvironment,
  REGION,
  STAGE,
} from './lambda-deployed';
import { countInstructions, valgrindAvailable } from './lambda-instructions';

/** The budget per function: 250 KB minified, init over bare `node -e 0` (stacks/bundling.ts). */
export const BUDGET = LAMBDA_BUDGET;

const HELLO_WORLD = "export const handler = async () => ({ statusCode: 200, body: 'hello' });\n";
const FLOOR =
  "process.getBuiltinModule('node:https');\nprocess.getBuiltinModule('node:crypto');\nexport const handler = async () => ({ statusCode: 200 });\n";

export interface FunctionResult {
  readonly function: string;
  readonly bundleBytes: number;
  readonly gzipBytes: number;
  readonly initMedianMs: number;
  readonly initOverBareMs: number;
  readonly initOverHelloWorldMs: number;
  readonly importMedianMs: number;
  /** With --instructions: millions of instructions over the hello-world handler's (bench/lambda-instructions.ts). */
  readonly initMillionInstructionsOverHelloWorld?: number;
  /** With --lower-bound: init over bare Node of the same entry with its libraries (and zod) stubbed out (bench/lambda-bound.ts). */
  readonly initLowerBoundsOverBareMs?: Readonly<Record<LowerBound, number>>;
  readonly withinBudget: boolean;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/** One fresh process: wall time, and the time the import itself took as the child measured it. */
function timeProcess(args: string[], env: NodeJS.ProcessEnv): { wallMs: number; importMs: number } {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  const wallMs = performance.now() - started;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr.slice(0, 500)}`);
  return { wallMs, importMs: Number(result.stdout.trim()) || 0 };
}

function importScript(bundle: string): string {
  return `const t=performance.now();await import(${JSON.stringify(pathToFileURL(bundle).href)});console.log(performance.now()-t)`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '15' },
      json: { type: 'boolean', default: false },
      instructions: { type: 'boolean', default: false },
      'lower-bound': { type: 'boolean', default: false },
    },
  });
  const runs = Math.max(15, Number(values.runs));
  const outdir = mkdtempSync(join(tmpdir(), 'paysaga-bench-'));
  // The synth with bundling is ~60 MB: gone when the bench ends, measured or failed.
  process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
  const synthStarted = performance.now();
  const synth = await synthesizeOffline({ stage: STAGE, region: REGION, outdir, bundle: true });
  const synthSeconds = (performance.now() - synthStarted) / 1000;
  const functions = deployedFunctions(
    outdir,
    synth.stacks.map((s) => s.templateFile),
  );
  const lowerBounds = values['lower-bound']
    ? await buildLowerBounds(
        functions.map((f) => f.key),
        outdir,
      )
    : undefined;
  const nodeVersion = spawnSync(process.execPath, ['--version'], { encoding: 'utf8' }).stdout.trim();

  const references = { helloWorld: join(outdir, 'hello-world.mjs'), floor: join(outdir, 'floor.mjs') };
  writeFileSync(references.helloWorld, HELLO_WORLD);
  writeFileSync(references.floor, FLOOR);
  const referenceEnv = { PATH: process.env.PATH, AWS_REGION: REGION };
  const bare: number[] = [];
  const hello: number[] = [];
  const floor: number[] = [];
  const wall = new Map<string, number[]>(functions.map((f) => [f.key, []]));
  const imports = new Map<string, number[]>(functions.map((f) => [f.key, []]));
  /** Wall times of the lower-bound bundles, by `${bound} ${function}`. */
  const bounds = new Map<string, number[]>();
  const boundFiles = (key: string) =>
    LOWER_BOUNDS.flatMap((bound) => {
      const file = lowerBounds?.get(bound)?.get(key);
      return file ? [{ bound, file }] : [];
    });
  const importArgs = (bundle: string) => ['--input-type=module', '-e', importScript(bundle)];
  for (const fn of functions) {
    // warm the page cache (and fail now if a lower-bound bundle does not import)
    for (const file of [fn.bundle, ...boundFiles(fn.key).map((b) => b.file)])
      timeProcess(importArgs(file), lambdaEnvironment(fn));
  }
  for (let run = 0; run < runs; run++) {
    if (!values.json) process.stderr.write(`\rrun ${run + 1}/${runs}`);
    bare.push(timeProcess(['-e', '0'], { PATH: process.env.PATH }).wallMs);
    hello.push(timeProcess(importArgs(references.helloWorld), referenceEnv).wallMs);
    floor.push(timeProcess(importArgs(references.floor), referenceEnv).wallMs);
    for (const fn of functions) {
      const timing = timeProcess(importArgs(fn.bundle), lambdaEnvironment(fn));
      wall.get(fn.key)?.push(timing.wallMs);
      imports.get(fn.key)?.push(timing.importMs);
      for (const { bound, file } of boundFiles(fn.key)) {
        const timed = bounds.get(`${bound} ${fn.key}`) ?? [];
        timed.push(timeProcess(importArgs(file), lambdaEnvironment(fn)).wallMs);
        bounds.set(`${bound} ${fn.key}`, timed);
      }
    }
  }
  if (!values.json) process.stderr.write('\n');
  const instructions = values.instructions
    ? countAll(functions, references, referenceEnv, !values.json)
    : undefined;
  const bareMedian = median(bare);
  const helloMedian = median(hello);
  const results: FunctionResult[] = functions.map((fn) => {
    const source = readFileSync(fn.bundle);
    const initMedianMs = median(wall.get(fn.key) ?? []);
    const initOverBareMs = initMedianMs - bareMedian;
    const bundleBytes = statSync(fn.bundle).size;
    return {
      function: fn.key,
      bundleBytes,
      gzipBytes: gzipSync(source).length,
      initMedianMs,
      initOverBareMs,
      initOverHelloWorldMs: initMedianMs - helloMedian,
      importMedianMs: median(imports.get(fn.key) ?? []),
      ...(instructions && {
        initMillionInstructionsOverHelloWorld:
          (instructions.functions.get(fn.key) ?? 0) - instructions.helloWorld,
      }),
      ...(lowerBounds && {
        initLowerBoundsOverBareMs: {
          libraries: median(bounds.get(`libraries ${fn.key}`) ?? []) - bareMedian,
          ownCode: median(bounds.get(`ownCode ${fn.key}`) ?? []) - bareMedian,
        },
      }),
      withinBudget: bundleBytes <= BUDGET.bundleBytes && initOverBareMs <= BUDGET.initMsOverBareNode,
    };
  });

  const meta = {
    date: new Date().toISOString(),
    node: nodeVersion,
    runs,
    bareNodeMedianMs: bareMedian,
    helloWorldHandlerMedianMs: helloMedian,
    helloWorldOverBareMs: helloMedian - bareMedian,
    floorOverHelloWorldMs: median(floor) - helloMedian,
    ...(instructions && {
      helloWorldMillionInstructions: instructions.helloWorld,
      floorMillionInstructionsOverHelloWorld: instructions.floor - instructions.helloWorld,
    }),
    synthWithBundlingSeconds: synthSeconds,
    loadAverage: (await import('node:os')).loadavg().map((l) => Number(l.toFixed(2))),
    budget: BUDGET,
  };
  if (values.json) {
    console.log(JSON.stringify({ ...meta, functions: results }, null, 2));
    return;
  }
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  console.log(
    `Node ${nodeVersion}, ${runs} runs (medians); bare node -e 0: ${ms(bareMedian)}; hello-world ESM handler: ${ms(helloMedian)} (${ms(meta.helloWorldOverBareMs)} over bare); floor (node:https + node:crypto): ${ms(meta.floorOverHelloWorldMs)} over hello world; synth with bundling ${synthSeconds.toFixed(1)} s; load ${meta.loadAverage.join(' ')}`,
  );
  if (instructions)
    console.log(
      `Instructions (valgrind, one thread): hello world ${instructions.helloWorld.toFixed(0)} M; floor ${(instructions.floor - instructions.helloWorld).toFixed(0)} M over it`,
    );
  const counted = (r: FunctionResult) =>
    (r.initMillionInstructionsOverHelloWorld === undefined
      ? ''
      : ` ${r.initMillionInstructionsOverHelloWorld.toFixed(0)} M |`) +
    (r.initLowerBoundsOverBareMs === undefined
      ? ''
      : ` ${ms(r.initLowerBoundsOverBareMs.libraries)} | ${ms(r.initLowerBoundsOverBareMs.ownCode)} |`);
  const extra = `${instructions ? ' instructions over hello world |' : ''}${lowerBounds ? ' without Powertools and middy, over bare | our code alone (no zod either), over bare |' : ''}`;
  console.log(
    `| function | bundle | gzip | init (median) | over bare node | over hello world | import only |${extra} budget |`,
  );
  console.log(`|---|---:|---:|---:|---:|---:|---:|${'---:|'.repeat(extra.split('|').length - 1)}---|`);
  for (const r of results) {
    console.log(
      `| ${r.function} | ${kb(r.bundleBytes)} | ${kb(r.gzipBytes)} | ${ms(r.initMedianMs)} | ${ms(r.initOverBareMs)} | ${ms(r.initOverHelloWorldMs)} | ${ms(r.importMedianMs)} |${counted(r)} ${r.withinBudget ? 'within' : 'OVER'} |`,
    );
  }
  console.log(
    `Budget: <= ${kb(BUDGET.bundleBytes)} and <= ${BUDGET.initMsOverBareNode} ms of init over bare Node, per function.`,
  );
}

/** --instructions: one valgrind count per bundle and reference (deterministic: one run each). */
function countAll(
  functions: readonly DeployedFunction[],
  references: { readonly helloWorld: string; readonly floor: string },
  referenceEnv: NodeJS.ProcessEnv,
  progress: boolean,
): { helloWorld: number; floor: number; functions: Map<string, number> } {
  if (!valgrindAvailable()) throw new Error('--instructions needs valgrind (apt-get install valgrind)');
  const args = (bundle: string) => [
    '--input-type=module',
    '-e',
    `await import(${JSON.stringify(pathToFileURL(bundle).href)})`,
  ];
  const counts = new Map<string, number>();
  functions.forEach((fn, index) => {
    if (progress) process.stderr.write(`\rinstructions ${index + 1}/${functions.length}`);
    counts.set(fn.key, countInstructions(args(fn.bundle), lambdaEnvironment(fn)));
  });
  if (progress) process.stderr.write('\n');
  return {
    helloWorld: countInstructions(args(references.helloWorld), referenceEnv),
    floor: countInstructions(args(references.floor), referenceEnv),
    functions: counts,
  };
}

main().catch((error: unknown) => {
  console.error(`bench:lambda failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
