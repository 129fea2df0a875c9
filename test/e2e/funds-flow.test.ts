import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger, LedgerReader } from '../../core/ledger';
import { paymentApi } from '../helpers/payments-http';
import { sdkClients, startTestRuntime, type TestRuntime } from '../helpers/runtime';
import { apiClient, newWalletIdForTest, newWalletKey, walletApi } from '../helpers/wallets';

/**
 * Wallet first, over plain HTTP against the local runtime: a payment draws the wallet, the gateway is
 * charged only for the rest (the sandbox gateway's own charges are the proof), a wallet-only payment of a
 * short wallet fails at Reserve, and a decline of the card part releases the wallet part.
 */
const acme = apiClient('acme-funds');

let runtime: TestRuntime;
let reader: LedgerReader;
let ledger: Ledger;
let wallets: ReturnType<typeof walletApi>;
let payments: ReturnType<typeof paymentApi>;

beforeAll(async () => {
  runtime = await startTestRuntime({ frontDoor: { port: 0, clients: [acme] } });
  const { documents } = sdkClients(runtime);
  reader = new LedgerReader(documents, runtime.names.tables.ledger);
  ledger = new Ledger({ doc: documents, tableName: runtime.names.tables.ledger });
  const base = runtime.frontDoor?.url ?? '';
  wallets = walletApi(base);
  payments = paymentApi(base);
});
afterAll(async () => {
  await runtime?.dispose();
});

/**
 * A wallet opened over HTTP (so it is this client's) holding `balance` EUR minor units, deposited
 * through the ledger: these tests are about payments (top-ups have their own, test/e2e/top-ups.test.ts).
 */
async function walletWith(balance: number): Promise<string> {
  const walletId = newWalletIdForTest();
  const opened = await wallets.open(acme, newWalletKey(), { walletId, currency: 'EUR' });
  expect(opened.status, JSON.stringify(opened.json)).toBe(201);
  await ledger.deposit(walletId, { value: balance, currency: 'EUR' }, `dep-${walletId}`);
  return walletId;
}

const eur = (value: number) => ({ value, currency: 'EUR', exponent: 2 });
const pay = (walletId: string, value: number, extra: Record<string, unknown> = {}) => ({
  walletId,
  merchantId: 'mer_bookshop',
  amount: eur(value),
  paymentMethod: 'pm_card_visa',
  ...extra,
});
const chargesOf = (paymentId: string) => runtime.sandbox?.chargesFor(paymentId) ?? [];

describe('Funds flow over HTTP: wallet first, the gateway for the rest', () => {
  it('wallet only: the wallet pays 4.00, the gateway is never called', async () => {
    // Prepare
    const walletId = await walletWith(1000);
    // Act
    const { paymentId, final } = await payments.pay(acme, pay(walletId, 400, { funding: 'wallet_only' }));
    // Assess
    expect(final.status).toBe('SUCCEEDED');
    expect(chargesOf(paymentId)).toEqual([]);
    expect(await reader.getWallet(walletId)).toMatchObject({ available: 600, held: 0 });
  }, 120_000);

  it('wallet + card: 12.50 with 10.00 in the wallet holds 10.00 and charges the gateway 2.50 once', async () => {
    // Prepare
    const walletId = await walletWith(1000);
    // Act
    const { paymentId, final } = await payments.pay(acme, pay(walletId, 1250));
    // Assess
    expect(final.status).toBe('SUCCEEDED');
    expect(chargesOf(paymentId).map((c) => [c.amount, c.currency, c.refunded])).toEqual([[250, 'EUR', 0]]);
    expect(await reader.getWallet(walletId)).toMatchObject({ available: 0, held: 0 });
    expect(await reader.holdOf(walletId, paymentId)).toMatchObject({ state: 'POSTED', captured: 1000 });
    const credited = (await reader.listPaymentEntries(paymentId))
      .flatMap((entry) => entry.lines)
      .filter((line) => line.account === 'merchant:mer_bookshop')
      .reduce((sum, line) => sum + line.amount, 0);
    expect(credited).toBe(1250);
  }, 120_000);

  it('wallet only with a short balance: FAILED insufficient_funds at Reserve, nothing charged or held', async () => {
    // Prepare
    const walletId = await walletWith(1000);
    // Act
    const { paymentId, final } = await payments.pay(acme, pay(walletId, 1250, { funding: 'wallet_only' }));
    // Assess
    expect(final).toMatchObject({ status: 'FAILED', failure: { reasonCode: 'insufficient_funds' } });
    expect(chargesOf(paymentId)).toEqual([]);
    expect(runtime.sandbox?.refundsFor(paymentId)).toEqual([]);
    expect(await reader.getWallet(walletId)).toMatchObject({ available: 1000, held: 0 });
  }, 120_000);

  it('a decline of the card part releases the wallet part: FAILED card_declined, the balance is whole again', async () => {
    // Prepare
    const walletId = await walletWith(1000);
    // Act
    const { paymentId, final } = await payments.pay(
      acme,
      pay(walletId, 1250, { paymentMethod: 'pm_card_chargeDeclined' }),
    );
    // Assess
    expect(final).toMatchObject({ status: 'FAILED', failure: { reasonCode: 'card_declined' } });
    expect(final.compensations).toEqual(['ReleaseFunds']);
    expect(chargesOf(paymentId)).toEqual([]);
    expect(await reader.holdOf(walletId, paymentId)).toMatchObject({ state: 'VOIDED', amount: 1000 });
    expect(await reader.getWallet(walletId)).toMatchObject({ available: 1000, held: 0 });
  }, 120_000);
});
