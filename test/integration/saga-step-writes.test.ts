import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journalKey, walletKey } from '../../core/ledger/keys';
import type { ChargeOutput, ReserveOutput } from '../../core/saga/state';
import { type CountedWrite, countDynamoWrites, describeWrite } from '../helpers/dynamo-writes';
import { type SagaHarness, startSagaHarness } from '../helpers/saga-harness';

/**
 * Issue 18 goal 2, the ledger side: the DynamoDB writes each of Reserve and Settle makes through its real
 * handler, counted as dynalite receives them (the edge counter of the writes-per-saga test). Reserve and
 * Settle run without a Powertools record (their ledger writes are idempotent and crash-safe on their own:
 * test/integration/saga-steps-crash.test.ts); Settle does not put Reserve's journal entry again.
 * The payment record's and timeline's writes are counted elsewhere (they are not the ledger's).
 */
let h: SagaHarness;
let counter: ReturnType<typeof countDynamoWrites>;

beforeAll(async () => {
  h = await startSagaHarness();
  counter = countDynamoWrites(h.dynamo.endpoint);
});

afterAll(async () => {
  counter?.stop();
  await h?.stop();
});

/** The writes `act` makes, by table. */
async function writesOf(act: () => Promise<unknown>): Promise<Record<'ledger' | 'idempotency', string[]>> {
  const from = counter.writes.length;
  counter.start();
  try {
    await act();
  } finally {
    counter.pause();
  }
  const of = (table: string) =>
    counter.writes
      .slice(from)
      .filter((write: CountedWrite) => write.table === table)
      .map(describeWrite);
  return { ledger: of(h.dynamo.tables.ledger), idempotency: of(h.dynamo.tables.idempotency) };
}

const walletItem = (walletId: string) => walletKey(walletId).pk;
const journal = (paymentId: string, operation: string) => {
  const key = journalKey(paymentId, operation);
  return `${key.pk} ${key.sk}`;
};

describe('Saga steps: DynamoDB writes per step (issue 18)', () => {
  it('Reserve: the hold and its journal entry, no idempotency record', async () => {
    // Prepare
    const walletId = await h.openWallet('EUR', 10_000);
    const payment = h.payment({ walletId });
    // Act
    const writes = await writesOf(() => h.invoke('reserve', { payment, executionArn: 'arn:exec:r' }));
    // Assess
    expect(writes.idempotency).toEqual([]);
    expect(writes.ledger).toEqual([
      `UpdateItem ${h.dynamo.tables.ledger} ${walletItem(walletId)} WALLET`,
      `PutItem ${h.dynamo.tables.ledger} ${journal(payment.paymentId, 'reserve')}`,
    ]);
  });

  it('Settle: the post, its journal entry and the marker removal; Reserve’s entry is not put again', async () => {
    // Prepare
    const walletId = await h.openWallet('EUR', 10_000);
    const payment = h.payment({ walletId });
    const executionArn = 'arn:exec:s';
    const reserve = (await h.invoke('reserve', { payment, executionArn })) as ReserveOutput;
    const charge = (await h.invoke('charge', { payment, reserve, executionArn })) as ChargeOutput;
    // Act
    const writes = await writesOf(() => h.invoke('settle', { payment, reserve, charge, executionArn }));
    // Assess
    expect(writes.idempotency).toEqual([]);
    expect(writes.ledger).toEqual([
      `UpdateItem ${h.dynamo.tables.ledger} ${walletItem(walletId)} WALLET`,
      `PutItem ${h.dynamo.tables.ledger} ${journal(payment.paymentId, 'settle')}`,
      `UpdateItem ${h.dynamo.tables.ledger} ${walletItem(walletId)} WALLET`,
    ]);
    expect(await h.ledgerReader.getWallet(walletId)).toMatchObject({ available: 10_000 - 1250, held: 0 });
  });

  it('Settle of a wallet part and a card part: post, settle, settle_card, marker removal', async () => {
    // Prepare: 1000 in the wallet, 250 charged to the card
    const walletId = await h.openWallet('EUR', 1000);
    const payment = h.payment({ walletId });
    const executionArn = 'arn:exec:sc';
    const reserve = (await h.invoke('reserve', { payment, executionArn })) as ReserveOutput;
    const charge = (await h.invoke('charge', { payment, reserve, executionArn })) as ChargeOutput;
    // Act
    const writes = await writesOf(() => h.invoke('settle', { payment, reserve, charge, executionArn }));
    // Assess
    expect(writes.idempotency).toEqual([]);
    expect(writes.ledger).toEqual([
      `UpdateItem ${h.dynamo.tables.ledger} ${walletItem(walletId)} WALLET`,
      `PutItem ${h.dynamo.tables.ledger} ${journal(payment.paymentId, 'settle')}`,
      `UpdateItem ${h.dynamo.tables.ledger} ${walletItem(walletId)} WALLET`,
      `PutItem ${h.dynamo.tables.ledger} ${journal(payment.paymentId, 'settle_card')}`,
    ]);
  });

  it('Charge with a card part keeps its idempotency record (two writes)', async () => {
    // Prepare: an empty wallet, the whole amount to the card
    const walletId = await h.openWallet('EUR', 0);
    const payment = h.payment({ walletId });
    const executionArn = 'arn:exec:c';
    const reserve = (await h.invoke('reserve', { payment, executionArn })) as ReserveOutput;
    // Act
    const writes = await writesOf(() => h.invoke('charge', { payment, reserve, executionArn }));
    // Assess
    expect(writes.idempotency.map((write) => write.split(' ')[0])).toEqual(['PutItem', 'UpdateItem']);
  });
});
