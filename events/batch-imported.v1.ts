import '../core/config/zod-locale';
import * as z from 'zod/mini';
import { deferred } from '../core/config/deferred-schema';
import { FreeText, IsoDateTime, SchemaVersion } from './common';

/** How an import file ended: its rows were judged (some may be rejected), or the whole file was refused. */
export const BatchImportStatus = deferred(() => z.enum(['imported', 'malformed']));
export type BatchImportStatus = z.infer<typeof BatchImportStatus>;

const RowCount = deferred(() => z.int().check(z.gte(0)));

/**
 * BatchImported: one CSV import file is done (core/imports/importer.ts). Its
 * accepted rows were published as PaymentRequested (each starts its saga through
 * intake as usual); the result file (resultKey, in the same bucket) says per row
 * accepted / rejected (reason) / duplicate. A malformed file published nothing and
 * carries the reason. Never carries a row's cells.
 */
export const BatchImportedV1 = deferred(() =>
  z.object({
    schemaVersion: SchemaVersion,
    /** The upload this run imported (its object key and S3 sequencer): a re-upload is another import. */
    importId: z.string().check(z.minLength(1), z.maxLength(1200)),
    /** The producer the file came from: the incoming/<source>/ prefix it was uploaded under. */
    source: z.string().check(z.regex(/^[a-z0-9][a-z0-9._-]{0,63}$/)),
    objectKey: FreeText(1024).check(z.minLength(1)),
    resultKey: FreeText(1024).check(z.minLength(1)),
    status: BatchImportStatus,
    rows: RowCount,
    accepted: RowCount,
    rejected: RowCount,
    duplicate: RowCount,
    /** Why a malformed file was refused (absent when imported). */
    reason: z.optional(FreeText(2000)),
    occurredAt: IsoDateTime,
  }),
);
export type BatchImported = z.infer<typeof BatchImportedV1>;
