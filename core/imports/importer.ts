import type { PaymentRequested } from '../../events/payment-requested.v1';
import type { RowOutcome } from './columns';
import { csvRows, MalformedImportError } from './csv-stream';
import { validateRow } from './rows';

/** PutEvents takes at most 10 entries: rows are published in batches of this size. */
export const IMPORT_PUBLISH_BATCH = 10;

/** Rows whose "requested before?" lookups run at once (one lookup per row, two reads each). */
export const IMPORT_LOOKUP_WINDOW = 25;

/** A row read but not yet judged: its result line, or (a valid row) the payment awaiting its lookup. */
interface WindowRow {
  readonly row: number;
  readonly line: string;
  readonly payment?: PaymentRequested;
}

/** The result file's header: one line per row after it (or one `malformed` line for the whole file). */
export const RESULT_HEADER = 'row,payment_id,outcome,reason';

export interface ImportPorts {
  /** The file's bytes from the start; called twice (a first pass checks the whole file before anything is published). */
  readonly open: () => AsyncIterable<Uint8Array | string>;
  /** Puts these PaymentRequested (at most IMPORT_PUBLISH_BATCH) on the bus; throws unless every entry was taken. */
  readonly publish: (payments: readonly PaymentRequested[]) => Promise<void>;
  /** Whether the paymentId was requested before this import (its record, archive pointer or import marker). */
  readonly alreadyRequested: (paymentId: string) => Promise<boolean>;
  /** The last row this import published (0 for none), written after each publish: a retried run resumes there. */
  readonly checkpoint: {
    readonly read: () => Promise<number>;
    readonly write: (lastPublishedRow: number) => Promise<void>;
  };
  /** Receives the result file's lines in order (header first). */
  readonly result: (line: string) => Promise<void>;
}

export type ImportSummary =
  | { readonly status: 'malformed'; readonly kind: MalformedImportError['kind']; readonly reason: string }
  | {
      readonly status: 'imported';
      readonly rows: number;
      readonly accepted: number;
      readonly rejected: number;
      readonly duplicate: number;
    };

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const resultLine = (row: number, paymentId: string, outcome: RowOutcome, reason = ''): string =>
  [String(row), csvField(paymentId), outcome, csvField(reason)].join(',');

/** Reads the file through once: a malformed file publishes nothing. */
async function malformation(ports: ImportPorts): Promise<MalformedImportError | undefined> {
  try {
    for await (const _row of csvRows(ports.open())) {
      // Only the file's shape is checked here; the rows are judged in the second pass.
    }
    return undefined;
  } catch (error) {
    if (error instanceof MalformedImportError) return error;
    throw error;
  }
}

/**
 * Imports one CSV file: each valid row becomes a PaymentRequested on the bus, in
 * batches of 10, idempotent per paymentId (a row whose paymentId was requested
 * before, or repeated in the file, is a duplicate and starts nothing). The
 * checkpoint is written after each batch, so a run retried after a crash
 * publishes only what it had not (rows up to the checkpoint are reported
 * accepted again, not duplicate). The result receives one line per row.
 */
export async function importCsv(ports: ImportPorts): Promise<ImportSummary> {
  const broken = await malformation(ports);
  await ports.result(RESULT_HEADER);
  if (broken) {
    await ports.result(['0', '', 'malformed', csvField(`${broken.kind}: ${broken.message}`)].join(','));
    return { status: 'malformed', kind: broken.kind, reason: broken.message };
  }
  const published = await ports.checkpoint.read();
  const seen = new Map<string, number>();
  const counts = { rows: 0, accepted: 0, rejected: 0, duplicate: 0 };
  let batch: { row: number; payment: PaymentRequested }[] = [];
  const pending: string[] = [];
  /** Rows read but not yet judged: their lookups run together, their lines keep the file's order. */
  let window: WindowRow[] = [];
  const flush = async (): Promise<void> => {
    const last = batch.at(-1);
    if (last) {
      await ports.publish(batch.map((entry) => entry.payment));
      await ports.checkpoint.write(last.row);
    }
    batch = [];
    for (const line of pending.splice(0)) await ports.result(line);
  };
  const settleWindow = async (): Promise<void> => {
    const rows = window;
    window = [];
    const requested = await Promise.all(
      rows.map((entry) =>
        entry.payment && entry.row > published
          ? ports.alreadyRequested(entry.payment.paymentId)
          : Promise.resolve(false),
      ),
    );
    for (const [i, entry] of rows.entries()) {
      if (!entry.payment) {
        pending.push(entry.line);
        continue;
      }
      if (requested[i]) {
        counts.duplicate += 1;
        pending.push(
          resultLine(
            entry.row,
            entry.payment.paymentId,
            'duplicate',
            'paymentId was requested before; nothing started',
          ),
        );
        continue;
      }
      counts.accepted += 1;
      pending.push(resultLine(entry.row, entry.payment.paymentId, 'accepted'));
      if (entry.row > published) batch.push({ row: entry.row, payment: entry.payment });
      if (batch.length === IMPORT_PUBLISH_BATCH) await flush();
    }
  };
  for await (const { row, cells } of csvRows(ports.open())) {
    counts.rows += 1;
    const verdict = validateRow(cells);
    if (verdict.outcome === 'rejected') {
      counts.rejected += 1;
      window.push({ row, line: resultLine(row, verdict.paymentId ?? '', 'rejected', verdict.reason) });
      continue;
    }
    const { paymentId } = verdict.payment;
    const earlierRow = seen.get(paymentId);
    if (earlierRow !== undefined) {
      counts.duplicate += 1;
      window.push({
        row,
        line: resultLine(row, paymentId, 'duplicate', `paymentId repeats row ${earlierRow} of this file`),
      });
      continue;
    }
    seen.set(paymentId, row);
    window.push({ row, line: '', payment: verdict.payment });
    if (window.length >= IMPORT_LOOKUP_WINDOW) await settleWindow();
  }
  await settleWindow();
  await flush();
  return { status: 'imported', ...counts };
}
