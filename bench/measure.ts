/** Closed-loop load: `concurrency` workers each run `work` back to back until `total` runs are done. */

export interface LevelResult {
  readonly concurrency: number;
  readonly runs: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /**
   * CPU time of this process (user + system, all its threads: dynalite's worker and libuv's included)
   * per run: the cost that does not depend on the machine's load.
   */
  readonly cpuMsPerRun: number;
  /** CPU time of the main thread alone per run: the thread every saga step shares, what bounds the rate. */
  readonly mainThreadCpuMsPerRun: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

export async function measureLevel(
  concurrency: number,
  total: number,
  work: (worker: number) => Promise<void>,
): Promise<LevelResult> {
  const latencies: number[] = [];
  let started = 0;
  const begin = performance.now();
  const cpuBefore = process.cpuUsage();
  const threadCpuBefore = process.threadCpuUsage();
  // A failed run stops the level from starting more, and is reported only once every run it started has
  // ended: the caller closes what the runs use right after (the dynalite bench closed its store under
  // runs still in flight and died with "Database is closed").
  let failure: { readonly error: unknown } | undefined;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (started < total && !failure) {
        started++;
        const t0 = performance.now();
        try {
          await work(worker);
        } catch (error) {
          failure ??= { error };
          return;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  if (failure) throw failure.error;
  const seconds = (performance.now() - begin) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const threadCpu = process.threadCpuUsage(threadCpuBefore);
  latencies.sort((a, b) => a - b);
  return {
    concurrency,
    runs: latencies.length,
    seconds: round(seconds, 2),
    perSecond: round(latencies.length / seconds),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    cpuMsPerRun: round((cpu.user + cpu.system) / 1000 / Math.max(1, latencies.length), 2),
    mainThreadCpuMsPerRun: round(
      (threadCpu.user + threadCpu.system) / 1000 / Math.max(1, latencies.length),
      2,
    ),
  };
}

/**
 * Open-loop load: starts a run every 1/`ratePerSecond` s whatever the runs in flight, `total` runs, and
 * waits for all of them. Latency is each run's own, from its scheduled start: a system that falls behind
 * the rate shows it in the percentiles (a closed loop would only slow its arrivals down).
 * `concurrency` reports the most runs seen in flight at once.
 */
export async function measurePaced(
  ratePerSecond: number,
  total: number,
  work: (run: number) => Promise<void>,
): Promise<LevelResult> {
  if (!(ratePerSecond > 0)) throw new Error(`the paced rate must be positive, got ${ratePerSecond}`);
  const latencies: number[] = [];
  const runs: Promise<void>[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  let failure: { readonly error: unknown } | undefined;
  const intervalMs = 1000 / ratePerSecond;
  const begin = performance.now();
  const cpuBefore = process.cpuUsage();
  const threadCpuBefore = process.threadCpuUsage();
  for (let run = 0; run < total && !failure; run++) {
    const scheduled = begin + run * intervalMs;
    const wait = scheduled - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    runs.push(
      work(run).then(
        () => {
          latencies.push(performance.now() - scheduled);
          inFlight--;
        },
        (error: unknown) => {
          failure ??= { error };
          inFlight--;
        },
      ),
    );
  }
  // Every run started is awaited before a failure is reported: the caller closes what they use right after.
  await Promise.all(runs);
  if (failure) throw failure.error;
  const seconds = (performance.now() - begin) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const threadCpu = process.threadCpuUsage(threadCpuBefore);
  latencies.sort((a, b) => a - b);
  return {
    concurrency: mostInFlight,
    runs: latencies.length,
    seconds: round(seconds, 2),
    perSecond: round(latencies.length / seconds),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    cpuMsPerRun: round((cpu.user + cpu.system) / 1000 / Math.max(1, latencies.length), 2),
    mainThreadCpuMsPerRun: round(
      (threadCpu.user + threadCpu.system) / 1000 / Math.max(1, latencies.length),
      2,
    ),
  };
}
