import { describe, expect, it } from 'vitest';
import type { OpsDeps } from '../../cli/ops/deps';
import { statementLines } from '../../cli/wallets/wallets';
import { GetCommand, PutCommand, QueryCommand } from '../../core/aws/dynamodb';
import {
  depositEntry,
  Ledger,
  type LedgerDocumentClient,
  LedgerReader,
  WALLET_JOURNAL_INDEX,
} from '../../core/ledger';
import { LedgerJournalStore } from '../../core/ledger/store-journal';
import { STATEMENT_MAX_LIMIT, type StatementResponse } from '../../core/wallets/contract';
import { getStatement, type StatementDeps } from '../../core/wallets/statement';

/**
 * Statement memory (issue 15): a wallet's statement must stay flat whatever its history, so both
 * readers (GET /v1/wallets/{walletId}/transactions and payctl wallets statement) must ask the store for
 * one page at a time. The table here is a small in-memory stand-in for the ledger table that answers
 * the wallet-journal index newest first and REFUSES a query without a Limit: a reader that loaded the
 * whole journal (no Limit, or a loop that collects every page before answering) fails these tests.
 * `npm run bench:statement` measures the heap against a real local runtime (BENCHMARKS.md).
 */

type Item = Record<string, unknown>;
const TABLE = 'ledger-paging-test';

interface QueryLog {
  readonly limit: number;
  readonly returned: number;
  readonly startKey: boolean;
}

function ledgerTable() {
  const items = new Map<string, Item>();
  const queries: QueryLog[] = [];
  const keyOf = (key: Item) => `${String(key.pk)}|${String(key.sk)}`;
  const send = async (command: unknown): Promise<unknown> => {
    if (command instanceof PutCommand) {
      const item = command.input.Item as Item;
      items.set(keyOf(item), item);
      return {};
    }
    if (command instanceof GetCommand) return { Item: items.get(keyOf(command.input.Key as Item)) };
    if (command instanceof QueryCommand) {
      const input = command.input;
      if (input.IndexName !== WALLET_JOURNAL_INDEX) throw new Error(`unexpected query of ${input.IndexName}`);
      if (input.Limit === undefined)
        throw new Error('a statement query without Limit reads the whole journal');
      const {
        ':pk': pk,
        ':from': from = '',
        ':to': to = '',
      } = input.ExpressionAttributeValues as Record<string, string | undefined>;
      const sorted = [...items.values()]
        .filter((item) => item.gsi2pk === pk)
        .filter((item) => String(item.gsi2sk) >= from && String(item.gsi2sk) <= to)
        .sort((a, b) => String(b.gsi2sk).localeCompare(String(a.gsi2sk)));
      const start = input.ExclusiveStartKey
        ? sorted.findIndex((item) => item.gsi2sk === input.ExclusiveStartKey?.gsi2sk) + 1
        : 0;
      const page = sorted.slice(start, start + input.Limit);
      const more = start + input.Limit < sorted.length;
      queries.push({ limit: input.Limit, returned: page.length, startKey: Boolean(input.ExclusiveStartKey) });
      const last = page[page.length - 1];
      return {
        Items: page,
        ...(more &&
          last && {
            LastEvaluatedKey: { pk: last.pk, sk: last.sk, gsi2pk: last.gsi2pk, gsi2sk: last.gsi2sk },
          }),
      };
    }
    throw new Error(`unexpected command ${(command as object).constructor.name}`);
  };
  return { doc: { send } as LedgerDocumentClient, queries };
}

/** A wallet with `count` deposits one second apart, written by the ledger's own store code. */
async function walletWithEntries(count: number) {
  const table = ledgerTable();
  const walletId = `wal_paging_${count}`;
  await new Ledger({ doc: table.doc, tableName: TABLE }).openWallet(walletId, 'EUR');
  const journal = new LedgerJournalStore(table.doc, TABLE);
  const start = Date.parse('2026-03-01T00:00:00.000Z');
  for (let i = 0; i < count; i++) {
    await journal.putJournalEntry(
      depositEntry({ walletId, currency: 'EUR' }, `${walletId}-${i}`, {
        amount: 100,
        at: new Date(start + i * 1000).toISOString(),
        seq: i + 1,
        balanceAfter: (i + 1) * 100,
      }),
    );
  }
  return { ...table, walletId };
}

describe('Statement reading: one page of the journal at a time', () => {
  it('GET /v1/wallets/{walletId}/transactions asks the store for exactly one page of `limit` lines', async () => {
    // Prepare
    const { doc, queries, walletId } = await walletWithEntries(1_000);
    const reader = new LedgerReader(doc, TABLE);
    const deps: StatementDeps = {
      owners: {
        ownedBy: async (clientId: string) => ({
          walletId,
          clientId,
          currency: 'EUR',
          idempotencyKey: 'k',
          openedAt: 'now',
        }),
      },
      ledger: reader,
      statements: reader,
      now: () => new Date(),
    };
    const client = { clientId: 'paging', source: 'partner.paging' };

    // Act
    const first = await getStatement(deps, client, walletId, { limit: '50' });
    const page = JSON.parse(first.body) as StatementResponse;
    const second = await getStatement(deps, client, walletId, { limit: '50', cursor: page.nextCursor });

    // Assess
    expect(first.statusCode).toBe(200);
    expect(page.lines).toHaveLength(50);
    expect(page.lines[0]).toMatchObject({ balanceAfter: 100_000, topUpId: `${walletId}-999` });
    expect(second.statusCode).toBe(200);
    expect((JSON.parse(second.body) as StatementResponse).lines[0]).toMatchObject({
      topUpId: `${walletId}-949`,
    });
    expect(queries).toEqual([
      { limit: 50, returned: 50, startKey: false },
      { limit: 50, returned: 50, startKey: true },
    ]);
  });

  it('payctl wallets statement streams: a page is read only when the lines before it were written out', async () => {
    // Prepare
    const count = 1_000;
    const { doc, queries, walletId } = await walletWithEntries(count);
    const deps = { clients: { doc }, names: { tables: { ledger: TABLE } } } as unknown as OpsDeps;
    const lines = statementLines(deps, walletId, {});

    // Act: the first line, then the rest
    const head = await lines.next();
    const queriesForTheFirstLine = queries.length;
    let total = head.done ? 0 : 1;
    for await (const _ of lines) total += 1;

    // Assess: one page before the first line; then pages of at most the API's maximum, each after a cursor
    expect(queriesForTheFirstLine).toBe(1);
    expect(total).toBe(count);
    expect(queries).toHaveLength(Math.ceil(count / STATEMENT_MAX_LIMIT));
    expect(queries.every((q) => q.limit === STATEMENT_MAX_LIMIT && q.returned <= STATEMENT_MAX_LIMIT)).toBe(
      true,
    );
    expect(queries.slice(1).every((q) => q.startKey)).toBe(true);
  });
});
