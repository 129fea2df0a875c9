import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionArnFor } from '../../core/config/executions';
import { CardDeclinedError } from '../../core/errors';
import { Ledger, LedgerReader } from '../../core/ledger';
import { importHandler, type LambdaHandler } from '../../local/functions/registry';
import { fundedWallet, paymentRequest, putPaymentRequested } from '../helpers/payments';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';

// Holds expire two seconds after Reserve (the handlers read this when they first load, in this process).
process.env.HOLD_TTL_SECONDS = '2';

let runtime: TestRuntime;
let clients: ReturnType<typeof sdkClients>;
let ledger: Ledger;
let reader: LedgerReader;
let releaseCharge: () => void = () => undefined;
const chargeGate = new Promise<void>((resolve) => {
  releaseCharge = resolve;
});
const paymentIdOf = (event: unknown) => (event as { payment: { paymentId: string } }).payment.paymentId;
const blocked = new Set<string>();
const settleLost = new Set<string>();

beforeAll(async () => {
  let realCharge: LambdaHandler | undefined;
  let realSettle: LambdaHandler | undefined;
  runtime = await startTestRuntime({
    sweeper: { intervalMs: 300 },
    functionOverrides: {
      // A saga held at Charge stays RUNNING with its hold placed, until the test lets it decline.
      charge: async (event: unknown, context: Context) => {
        if (blocked.has(paymentIdOf(event))) {
          await chargeGate;
          throw new CardDeclinedError('card declined (reason: card_declined)');
        }
        realCharge ??= await importHandler('charge');
        return realCharge(event, context);
      },
      // A settle whose ledger write was lost: the saga succeeds and its hold stays open, for the sweeper.
      settle: async (event: unknown, context: Context) => {
        if (settleLost.has(paymentIdOf(event)))
          return { captured: 0, released: 0, postedAt: new Date().toISOString() };
        realSettle ??= await importHandler('settle');
        return realSettle(event, context);
      },
    },
  });
  clients = sdkClients(runtime);
  ledger = new Ledger({ doc: clients.documents, tableName: runtime.names.tables.ledger });
  reader = new LedgerReader(clients.documents, runtime.names.tables.ledger);
});

afterAll(async () => {
  releaseCharge();
  await runtime?.dispose();
});

async function executionStatus(paymentId: string): Promise<string | undefined> {
  const stateMachineArn = runtime.env.STATE_MACHINE_ARN as string;
  const described = await clients.sfn
    .send(new DescribeExecutionCommand({ executionArn: executionArnFor(stateMachineArn, paymentId) }))
    .catch(() => undefined);
  return described?.status;
}

describe('Local runtime: the expired-hold sweeper on its timer', () => {
  it("voids a finished saga's expired hold with an expire entry, and keeps a running saga's", async () => {
    // Prepare
    const walletId = await fundedWallet(ledger, 10_000);
    const finished = paymentRequest(walletId);
    const running = paymentRequest(walletId);
    settleLost.add(finished.paymentId);
    blocked.add(running.paymentId);
    await putPaymentRequested(clients.events, runtime.names.eventBus, finished);
    await putPaymentRequested(clients.events, runtime.names.eventBus, running);
    await waitFor('the finished saga', async () =>
      (await executionStatus(finished.paymentId)) === 'SUCCEEDED' ? true : undefined,
    );
    await waitFor('the running saga holds funds', async () =>
      (await reader.holdOf(walletId, running.paymentId))?.state === 'PENDING' ? true : undefined,
    );
    // Act: the timer sweeps every 300 ms; both holds expire 2 s after their Reserve.
    const entries = await waitFor('the finished saga hold voided and journaled', async () => {
      const journal = await reader.listPaymentEntries(finished.paymentId);
      return journal.some((entry) => entry.operation === 'expire') ? journal : undefined;
    });
    // Assess
    expect(entries.map((entry) => entry.operation).sort()).toEqual(['expire', 'reserve']);
    expect(await reader.holdOf(walletId, finished.paymentId)).toMatchObject({
      state: 'EXPIRED',
      amount: 1250,
    });
    const kept = await reader.holdOf(walletId, running.paymentId);
    expect(kept?.state).toBe('PENDING');
    expect(kept && kept.expiresAt < new Date().toISOString()).toBe(true);
    expect(await executionStatus(running.paymentId)).toBe('RUNNING');
    expect((await reader.listPaymentEntries(running.paymentId)).map((e) => e.operation)).toEqual(['reserve']);
    const wallet = await reader.getWallet(walletId);
    expect(wallet?.holds[finished.paymentId]).toBeUndefined();
    // The running saga then declines and releases its own hold, as it would have without the sweeper.
    releaseCharge();
    await waitFor('the declined saga released its hold', async () =>
      (await reader.holdOf(walletId, running.paymentId))?.state === 'VOIDED' ? true : undefined,
    );
  });
});
