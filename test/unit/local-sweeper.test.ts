import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryLog } from '../../local/edge/runtime-log';
import { startSweeper } from '../../local/sweeper';

describe('Function: startSweeper (local timer)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs the sweeper every interval, one run at a time, until stopped', async () => {
    // Prepare
    vi.useFakeTimers();
    let runs = 0;
    let finish: (() => void) | undefined;
    const invoke = () =>
      new Promise<void>((resolve) => {
        runs += 1;
        finish = resolve;
      });
    const sweeper = startSweeper({ intervalMs: 1_000, invoke, log: memoryLog() });
    // Act
    await vi.advanceTimersByTimeAsync(1_000);
    await vi.advanceTimersByTimeAsync(3_000);
    const whileRunning = runs;
    finish?.();
    await vi.advanceTimersByTimeAsync(1_000);
    const afterwards = runs;
    finish?.();
    await sweeper.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    // Assess
    expect(whileRunning).toBe(1);
    expect(afterwards).toBe(2);
    expect(runs).toBe(2);
  });

  it('logs a failed run and goes on', async () => {
    // Prepare
    vi.useFakeTimers();
    const log = memoryLog();
    let runs = 0;
    const sweeper = startSweeper({
      intervalMs: 1_000,
      invoke: async () => {
        runs += 1;
        throw new Error('ledger unreachable');
      },
      log,
    });
    // Act
    await vi.advanceTimersByTimeAsync(2_000);
    await sweeper.stop();
    // Assess
    expect(runs).toBe(2);
    expect(JSON.stringify(log.lines)).toContain('ledger unreachable');
  });
});
