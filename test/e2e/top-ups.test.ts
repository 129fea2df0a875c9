import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerInvariantError } from '../../core/errors';
import type { Problem, TopUpAcceptedResponse, TopUpStatusResponse } from '../../core/frontdoor/contract';
import { LedgerReader } from '../../core/ledger';
import { gatewayRefOf } from '../../core/topups/keys';
import type { StatementResponse } from '../../core/wallets/contract';
import { DETAIL_TYPES, PAYSAGA_SOURCE } from '../../events/envelope';
import type { TopUpFailed, TopUpSucceeded } from '../../events/top-ups.v1';
import type { BusEvent } from '../../local/events/eventbridge-service';
import { importHandler } from '../../local/functions/registry';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';
import { newTopUpId, topUpApi, topUpBody } from '../helpers/top-ups';
import { apiClient, newWalletIdForTest, newWalletKey, walletApi } from '../helpers/wallets';

const acme = apiClient('acme');
const globex = apiClient('globex');
const PAN = '4242424242424242';
/** Top-ups whose metadata says so fail their Credit for good (a ledger fault no retry fixes). */
const CREDIT_FAILS = { scenario: 'credit-fails' };

let runtime: TestRuntime;
let clients: ReturnType<typeof sdkClients>;
let reader: LedgerReader;
let topUps: ReturnType<typeof topUpApi>;
let wallets: ReturnType<typeof walletApi>;
const published: BusEvent[] = [];

beforeAll(async () => {
  // Loaded on first use, as the runtime loads handlers: the environment is set by then.
  let credit: ReturnType<typeof importHandler> | undefined;
  runtime = await startTestRuntime({
    frontDoor: { port: 0, clients: [acme, globex] },
    functionOverrides: {
      topUpCredit: async (event, context) => {
        const metadata = (event as { topUp?: { metadata?: Record<string, string> } }).topUp?.metadata;
        if (metadata?.scenario === CREDIT_FAILS.scenario)
          throw new LedgerInvariantError('the wallet cannot take this deposit (test fault)');
        credit ??= importHandler('topUpCredit');
        return (await credit)(event, context);
      },
    },
  });
  clients = sdkClients(runtime);
  reader = new LedgerReader(clients.documents, runtime.names.tables.ledger);
  topUps = topUpApi(runtime.frontDoor?.url ?? '');
  wallets = walletApi(runtime.frontDoor?.url ?? '');
  runtime.internals.events.putRule({
    name: 'capture-top-up-outcomes',
    eventBusName: runtime.names.eventBus,
    pattern: { source: [PAYSAGA_SOURCE] },
    targets: [
      {
        id: 'capture',
        arn: 'local:capture',
        synchronous: true,
        deliver: async (e) => void published.push(e),
      },
    ],
  });
});
afterAll(async () => {
  await runtime?.dispose();
});

async function openedWallet(who = acme, currency = 'EUR'): Promise<string> {
  const walletId = newWalletIdForTest();
  const opened = await wallets.open(who, newWalletKey(), { walletId, currency });
  if (opened.status !== 201)
    throw new Error(`open answered ${opened.status}: ${JSON.stringify(opened.json)}`);
  return walletId;
}

/** Submits a top-up and waits for its terminal status over HTTP. */
async function toppedUp(walletId: string, body: Record<string, unknown>, topUpId = newTopUpId()) {
  const accepted = await topUps.submit(acme, topUpId, walletId, body);
  expect(accepted.status, JSON.stringify(accepted.json)).toBe(202);
  const final = await waitFor(
    `top-up ${topUpId} to end`,
    async () => {
      const answer = await topUps.get(acme, walletId, topUpId);
      const view = answer.json as TopUpStatusResponse;
      return ['SUCCEEDED', 'FAILED', 'NEEDS_ATTENTION'].includes(view.status) ? view : undefined;
    },
    30_000,
  );
  return { topUpId, accepted, final };
}

const outcomeOf = <T>(topUpId: string, detailType: string) =>
  waitFor(`${detailType} of ${topUpId}`, () =>
    published.find(
      (e) => e['detail-type'] === detailType && (e.detail as { topUpId?: string }).topUpId === topUpId,
    ),
  ).then((e) => e.detail as T);

const available = async (walletId: string) => (await reader.getWallet(walletId))?.available;

describe('POST /v1/wallets/{walletId}/top-ups over HTTP', () => {
  it('charges once, credits the wallet once and publishes TopUpSucceeded; a repeat answers the same 202', async () => {
    // Prepare
    const walletId = await openedWallet();
    // Act
    const { topUpId, accepted, final } = await toppedUp(walletId, topUpBody());
    const again = await topUps.submit(acme, topUpId, walletId, topUpBody());
    // Assess
    expect(accepted.json).toMatchObject({
      topUpId,
      walletId,
      status: 'ACCEPTED',
    } satisfies Partial<TopUpAcceptedResponse>);
    expect(accepted.headers.get('location')).toBe(`/v1/wallets/${walletId}/top-ups/${topUpId}`);
    expect(final).toMatchObject({ topUpId, walletId, status: 'SUCCEEDED', amount: topUpBody().amount });
    expect(JSON.stringify(final)).not.toMatch(/pi_|re_|arn:/);
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const succeeded = await outcomeOf<TopUpSucceeded>(topUpId, DETAIL_TYPES.topUpSucceeded);
    expect(succeeded).toMatchObject({ topUpId, walletId, amount: topUpBody().amount });
    expect(runtime.sandbox?.chargesFor(gatewayRefOf(topUpId))).toHaveLength(1);
    expect(await available(walletId)).toBe(5000);
    expect(await reader.listDepositEntries(topUpId)).toHaveLength(1);
  });

  it('shows the credit over HTTP: the balance and a top_up statement line with the topUpId; other clients see a 404', async () => {
    // Prepare
    const walletId = await openedWallet();
    const { topUpId, final } = await toppedUp(walletId, topUpBody());
    // Act
    const balance = await wallets.get(acme, walletId);
    const statement = await wallets.statement(acme, walletId, { limit: 10 });
    const theirs = await topUps.get(globex, walletId, topUpId);
    const unknown = await topUps.get(globex, newWalletIdForTest(), topUpId);
    // Assess
    expect(final.status).toBe('SUCCEEDED');
    expect(balance.status).toBe(200);
    expect(balance.json).toMatchObject({ walletId, currency: 'EUR', available: 5000, held: 0 });
    expect(statement.status).toBe(200);
    expect((statement.json as StatementResponse).lines).toEqual([
      expect.objectContaining({ type: 'top_up', amount: 5000, balanceAfter: 5000, topUpId }),
    ]);
    expect(theirs.status).toBe(404);
    expect(theirs.json).toEqual(unknown.json);
  });

  it('fails a declined card with no credit and no charge (TopUpFailed, refund not_needed)', async () => {
    // Prepare
    const walletId = await openedWallet();
    // Act
    const { topUpId, final } = await toppedUp(
      walletId,
      topUpBody({ paymentMethod: 'pm_card_chargeDeclined' }),
    );
    // Assess
    expect(final).toMatchObject({
      status: 'FAILED',
      failure: { reasonCode: 'card_declined', step: 'Charge' },
    });
    const failed = await outcomeOf<TopUpFailed>(topUpId, DETAIL_TYPES.topUpFailed);
    expect(failed).toMatchObject({
      reasonCode: 'card_declined',
      failedState: 'Charge',
      refund: 'not_needed',
    });
    expect(runtime.sandbox?.chargesFor(gatewayRefOf(topUpId))).toHaveLength(0);
    expect(await available(walletId)).toBe(0);
  });

  it('retries a gateway 5xx with the same key and charges once', async () => {
    // Prepare
    const walletId = await openedWallet();
    // Act
    const { topUpId, final } = await toppedUp(
      walletId,
      topUpBody({ paymentMethod: 'pm_sandbox_unavailable_3' }),
    );
    // Assess
    expect(final.status).toBe('SUCCEEDED');
    expect(runtime.sandbox?.chargesFor(gatewayRefOf(topUpId))).toHaveLength(1);
    expect(await available(walletId)).toBe(5000);
  });

  it('charges once when the gateway answer is lost (the retry replays the same charge)', async () => {
    // Prepare
    const walletId = await openedWallet();
    // Act
    const { topUpId, final } = await toppedUp(
      walletId,
      topUpBody({ paymentMethod: 'pm_sandbox_dropresponse_2' }),
    );
    // Assess
    expect(final.status).toBe('SUCCEEDED');
    expect(runtime.sandbox?.chargesFor(gatewayRefOf(topUpId))).toHaveLength(1);
    expect(await available(walletId)).toBe(5000);
  });

  it('refunds the charge when crediting the wallet fails for good', async () => {
    // Prepare
    const walletId = await openedWallet();
    // Act
    const { topUpId, final } = await toppedUp(walletId, topUpBody({ metadata: CREDIT_FAILS }));
    // Assess
    expect(final).toMatchObject({
      status: 'FAILED',
      failure: { reasonCode: 'ledger_invariant', step: 'Credit', refunded: true },
    });
    const failed = await outcomeOf<TopUpFailed>(topUpId, DETAIL_TYPES.topUpFailed);
    expect(failed).toMatchObject({ failedState: 'Credit', refund: 'refunded' });
    const ref = gatewayRefOf(topUpId);
    expect(runtime.sandbox?.chargesFor(ref)).toHaveLength(1);
    expect(runtime.sandbox?.refundsFor(ref)).toHaveLength(1);
    expect(await available(walletId)).toBe(0);
  });
});

describe('top-up requests that are refused', () => {
  it("answers another client's wallet as an unknown one (404), on POST and GET", async () => {
    // Prepare
    const walletId = await openedWallet(globex);
    const topUpId = newTopUpId();
    // Act
    const submitted = await topUps.submit(acme, topUpId, walletId, topUpBody());
    const read = await topUps.get(acme, walletId, topUpId);
    const unknown = await topUps.submit(acme, newTopUpId(), newWalletIdForTest(), topUpBody());
    // Assess
    expect(submitted.status).toBe(404);
    expect(read.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(submitted.json).toEqual(unknown.json);
    expect(runtime.sandbox?.chargesFor(gatewayRefOf(topUpId))).toHaveLength(0);
  });

  it('answers bad input with 400 and field paths, never echoing a card number', async () => {
    // Prepare
    const walletId = await openedWallet();
    // Act
    const noKey = await topUps.submit(acme, undefined, walletId, topUpBody());
    const badAmount = await topUps.submit(
      acme,
      newTopUpId(),
      walletId,
      topUpBody({ amount: { value: 10.5, currency: 'EUR', exponent: 2 } }),
    );
    const otherCurrency = await topUps.submit(
      acme,
      newTopUpId(),
      walletId,
      topUpBody({ amount: { value: 100, currency: 'USD', exponent: 2 } }),
    );
    const pan = await topUps.submit(acme, newTopUpId(), walletId, topUpBody({ paymentMethod: PAN }));
    const proto = await topUps.submit(
      acme,
      newTopUpId(),
      walletId,
      '{"amount":{"value":1,"currency":"EUR","exponent":2},"paymentMethod":"pm_card_visa","metadata":{"__proto__":{"x":"1"}}}',
    );
    // Assess
    const paths = (answer: { json: unknown }) => ((answer.json as Problem).errors ?? []).map((e) => e.path);
    expect(noKey.status).toBe(400);
    expect(paths(noKey)).toEqual(['header:Idempotency-Key']);
    expect(badAmount.status).toBe(400);
    expect(paths(badAmount)).toContain('amount.value');
    expect(otherCurrency.status).toBe(400);
    expect(paths(otherCurrency)).toEqual(['amount.currency']);
    expect(pan.status).toBe(400);
    expect((pan.json as Problem).type).toMatch(/card_data_refused$/);
    expect(paths(pan)).toEqual(['paymentMethod']);
    expect(JSON.stringify(pan.json)).not.toContain(PAN);
    expect(proto.status).toBe(400);
    expect(await available(walletId)).toBe(0);
  });
});
