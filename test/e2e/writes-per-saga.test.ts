import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '../../core/aws/dynamodb';
import { Ledger } from '../../core/ledger';
import { paymentKey } from '../../core/payments/keys';
import { type CountedWrite, countDynamoWrites, describeWrite } from '../helpers/dynamo-writes';
import { fundedWallet, paymentRequest, putPaymentRequested } from '../helpers/payments';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';

/**
 * Issue 18: DynamoDB writes one happy saga makes, counted where BENCHMARKS.md counts them: at the local
 * runtime's edge, by X-Amz-Target, every write request the handlers send (the intake, the saga's steps
 * and the history archiver, which sets the payment's items to expire once it is archived).
 * Before (808285b): 31 (15 PutItem, 16 UpdateItem) for a payment the wallet covers; 22 after the first cuts,
 * 17 after the ledger side (0977999), 12 once the forward steps' timeline entries ride in the saga state to
 * RecordSuccess's one timeline write (core/saga/timeline.ts; BENCHMARKS.md "Writes per saga").
 */
const MAX_WRITES_PER_HAPPY_SAGA = 12;
/**
 * The payments table's writes of that saga, by item: the payment record (REQUESTED before the hold,
 * RESERVED with the split, SUCCEEDED, the archiver's TTL), the timeline item (RecordSuccess's one write of
 * every entry and the Outcome, the archiver's TTL) and the archive pointer. Before: the timeline took 7.
 */
const PAYMENTS_TABLE_WRITES = { PAYMENT: 4, 'STEP#TIMELINE': 2, 'ARCHIVE#': 1 };
/** The writes to one table, counted by item kind (its sort key up to and including the first '#'). */
function byItem(writes: readonly CountedWrite[], table: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const write of writes.filter((w) => w.table === table)) {
    const kind = write.sk === 'STEP#TIMELINE' ? write.sk : write.sk.replace(/#.*$/, '#');
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

describe('DynamoDB writes per happy saga, counted at the edge', () => {
  let runtime: TestRuntime;

  beforeAll(async () => {
    runtime = await startTestRuntime();
  });
  afterAll(async () => {
    await runtime?.dispose();
  });

  it(`a payment the wallet covers makes at most ${MAX_WRITES_PER_HAPPY_SAGA} writes, archiver included`, async () => {
    // Prepare: a funded wallet (its opening and deposit are not the saga's), a warm runtime.
    const clients = sdkClients(runtime);
    const ledger = new Ledger({ doc: clients.documents, tableName: runtime.names.tables.ledger });
    const request = paymentRequest(await fundedWallet(ledger, 10_000));
    const counter = countDynamoWrites(runtime.endpoint);
    const record = async () =>
      (
        await clients.documents.send(
          new GetCommand({ TableName: runtime.names.tables.payments, Key: paymentKey(request.paymentId) }),
        )
      ).Item;

    // Act: one payment through the bus, until it succeeded, was archived and its items set to expire.
    counter.start();
    await putPaymentRequested(clients.events, runtime.names.eventBus, request);
    await waitFor(
      `${request.paymentId} succeeded and archived`,
      async () => {
        const item = await record();
        return item?.status === 'SUCCEEDED' && item.expiresAt !== undefined ? item : undefined;
      },
      60_000,
    );
    let seen = -1;
    await waitFor('no more writes for 1 s', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const quiet = seen === counter.writes.length;
      seen = counter.writes.length;
      return quiet ? true : undefined;
    });
    counter.stop();

    // Assess
    const listing = `writes of ${request.paymentId}:\n${counter.writes.map(describeWrite).join('\n')}`;
    expect(byItem(counter.writes, runtime.names.tables.payments), listing).toEqual(PAYMENTS_TABLE_WRITES);
    expect(counter.writes.length, listing).toBeLessThanOrEqual(MAX_WRITES_PER_HAPPY_SAGA);
  });
});
