import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTENTS, isValidIntent } from '../../local/demo/plan';
import { runDemo } from '../../local/demo/run';
import { connectTarget, type DemoTarget } from '../../local/demo/target';
import { verifyRun } from '../../local/demo/verify';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime';

let runtime: TestRuntime;
let target: DemoTarget;
let demo: Awaited<ReturnType<typeof runDemo>>;

beforeAll(async () => {
  runtime = await startTestRuntime({});
  target = await connectTarget(runtime.endpoint, runtime.region);
  // Act (shared by the tests below): a small demo run through the real SDK clients.
  demo = await runDemo(target, {
    events: 60,
    seed: 7,
    runId: `demo-${randomUUID().slice(0, 8)}`,
    timeoutMs: 90_000,
  });
}, 120_000);
afterAll(async () => {
  await runtime?.dispose();
});

const checkNamed = (checks: readonly { name: string; ok: boolean }[], prefix: string) =>
  checks.find((c) => c.name.startsWith(prefix));

describe('npm run demo (runDemo)', () => {
  it('sends the planned mix and its summary passes every check against the ledger and the gateway', () => {
    // Assess
    const { plan, summary } = demo;
    expect(summary.checks.filter((c) => !c.ok)).toEqual([]);
    expect(summary.sent.events).toBe(60);
    const valid = plan.requests.filter((r) => isValidIntent(r.intent));
    expect(summary.sagas.started).toBe(valid.length);
    expect(summary.dlq.intakeDlq).toBe(summary.sent.malformed + summary.sent.cardNumber);
    expect(summary.sent.duplicates).toBeGreaterThan(0);
    expect(summary.duplicatesSuppressed).toBe(summary.sent.duplicates);
    // Wallet first: only a succeeded saga with a card part holds a live charge (the demo funds its gateway intents' wallets by half).
    expect(checkNamed(summary.checks, 'succeeded sagas with a card part == gateway charges')?.ok).toBe(true);
    expect(summary.gateway.live).toBeGreaterThan(0);
    expect(summary.gateway.live).toBeLessThan(summary.sagas.succeeded);
    const planned = (expect: string) => valid.filter((r) => INTENTS[r.intent].expect === expect).length;
    expect(summary.sagas.succeeded).toBe(planned('SUCCEEDED'));
    expect(summary.sagas.failedByReason.CardDeclinedError).toBe(planned('CardDeclinedError'));
    expect(summary.sagas.holdsKeptForRedrive).toBe(planned('GatewayUnavailableError'));
    expect(summary.sagas.compensated).toBe(planned('CardDeclinedError'));
  });

  it('fails its checks when the gateway holds a charge the sagas do not account for', async () => {
    // Prepare: a charge for a payment whose saga failed, as a lost refund would leave it.
    const declined = demo.plan.requests.find((r) => r.intent === 'decline');
    expect(declined).toBeDefined();
    await target.gateway.injectCharge({
      paymentId: declined?.paymentId as string,
      amount: declined?.amount as number,
      currency: declined?.currency as string,
    });
    // Act
    const again = await verifyRun(target, demo.plan, demo.observations);
    // Assess
    expect(checkNamed(again.checks, 'no failed payment keeps a charge')?.ok).toBe(false);
    expect(checkNamed(again.checks, 'succeeded sagas with a card part == gateway charges')?.ok).toBe(false);
    expect(checkNamed(again.checks, 'money is conserved')?.ok).toBe(true);
  });
});
