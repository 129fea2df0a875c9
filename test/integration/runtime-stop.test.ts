import { describe, expect, it } from 'vitest';
import { startTestRuntime } from '../helpers/runtime';

// local/runtime.ts: stopping (Ctrl-C on `npm start`) waits for each queue poller's long poll (up to 1 s)
// to end; the five pollers did it one after the other, so every stop took ~5 s. They stop together now.

describe('stopping the local runtime', () => {
  it('takes about one long poll, not one per queue poller', async () => {
    // Prepare: every poller waiting in its long poll.
    const runtime = await startTestRuntime({ sandbox: false, frontDoor: false });
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    // Act
    const started = Date.now();
    await runtime.dispose();
    const tookMs = Date.now() - started;

    // Assess
    expect(tookMs).toBeLessThan(3_500);
  });
});
