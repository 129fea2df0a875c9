import { importIdOf, parseIncomingKey, resultKeyOf } from '../config/imports';
import type { PaymentRunLookup } from '../payments/archive';
import type { ImportCheckpointStore } from './checkpoint-store';
import { csvField, type ImportSummary, importCsv, RESULT_HEADER } from './importer';
import type { ImportRequestMarks } from './request-marks';
import type { ObjectCreatedRecord } from './s3-event';
import {
  busPublisher,
  type EventBridgePort,
  objectOpener,
  publishBatchImported,
  ResultFile,
  type S3Port,
} from './s3-ports';

export interface ImportDeps {
  readonly s3: S3Port;
  readonly events: EventBridgePort;
  readonly runs: Pick<PaymentRunLookup, 'everRan'>;
  readonly checkpoints: Pick<ImportCheckpointStore, 'forImport'>;
  readonly marks: Pick<ImportRequestMarks, 'importOf' | 'mark'>;
  readonly eventBusName: string;
  /** The producers' sources that may upload (IMPORT_SOURCES). */
  readonly sources: ReadonlySet<string>;
  readonly now?: () => Date;
  /** PutEvents back-off between retries of refused entries (tests: 0). */
  readonly publishBackoffMs?: number;
}

export type ImportOutcome =
  | (ImportSummary & { readonly importId: string; readonly source: string; readonly resultKey: string })
  /** Not under incoming/<source>/, or a source no producer has: a result file says why, nothing published. */
  | { readonly status: 'refused'; readonly reason: string; readonly resultKey: string }
  /** Not an upload (e.g. a result file): left alone. */
  | { readonly status: 'ignored'; readonly reason: string };

const refusalLine = (reason: string) => ['0', '', 'malformed', csvField(reason)].join(',');

/**
 * Imports one uploaded object: the producer is the incoming/<source>/ prefix (refused unless a
 * configured producer has that source); rows go on the bus under that source (importCsv); the
 * result file goes to results/<source>/<file>.csv, then BatchImported on the bus. A retried event
 * (same sequencer) resumes from the checkpoint; a re-upload is a new import whose rows are duplicates.
 */
export async function importObject(deps: ImportDeps, object: ObjectCreatedRecord): Promise<ImportOutcome> {
  const place = parseIncomingKey(object.key);
  if (!place.ok && !object.key.startsWith('incoming/')) return { status: 'ignored', reason: place.reason };
  const resultKey = resultKeyOf(object.key);
  const source = place.ok ? place.source : undefined;
  if (!place.ok || source === undefined || !deps.sources.has(source)) {
    const reason = place.ok
      ? `unknown_source: no producer uploads under incoming/${place.source}/ (known: ${[...deps.sources].join(', ') || 'none'})`
      : `unknown_source: ${place.reason}`;
    const result = new ResultFile(deps.s3, object.bucket, resultKey);
    await result.append(RESULT_HEADER);
    await result.append(refusalLine(reason));
    await result.write();
    return { status: 'refused', reason, resultKey };
  }
  const importId = importIdOf(object.key, object.sequencer);
  const result = new ResultFile(deps.s3, object.bucket, resultKey);
  const putOnBus = busPublisher(deps.events, deps.eventBusName, source, deps.publishBackoffMs);
  const summary = await importCsv({
    open: objectOpener(deps.s3, object),
    publish: async (payments) => {
      await putOnBus(payments);
      await deps.marks.mark(
        importId,
        payments.map((payment) => payment.paymentId),
      );
    },
    // Requested before: by another import (its mark), or it ran (its record or archive pointer).
    alreadyRequested: async (paymentId) => {
      const [markedBy, ran] = await Promise.all([
        deps.marks.importOf(paymentId),
        deps.runs.everRan(paymentId),
      ]);
      return (markedBy !== undefined && markedBy !== importId) || ran;
    },
    checkpoint: deps.checkpoints.forImport(importId),
    result: result.append,
  });
  await result.write();
  const counts =
    summary.status === 'imported'
      ? summary
      : { rows: 0, accepted: 0, rejected: 0, duplicate: 0, reason: summary.reason.slice(0, 2000) };
  await publishBatchImported(deps.events, deps.eventBusName, {
    schemaVersion: '1',
    importId,
    source,
    objectKey: object.key,
    resultKey,
    status: summary.status,
    rows: counts.rows,
    accepted: counts.accepted,
    rejected: counts.rejected,
    duplicate: counts.duplicate,
    ...('reason' in counts && { reason: counts.reason }),
    occurredAt: (deps.now?.() ?? new Date()).toISOString(),
  });
  return { ...summary, importId, source, resultKey };
}
