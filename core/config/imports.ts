import './zod-locale';
import * as z from 'zod/mini';

/**
 * The CSV batch import's bucket layout (bucketNames(stage).imports; stacks/Imports.ts, the local
 * runtime, functions/import-csv.ts and payctl import read these):
 *
 *   incoming/<source>/<file>    a producer uploads here (its role may write only its own prefix)
 *   results/<source>/<file>.csv the import's result: one line per row (core/imports/importer.ts)
 *
 * <source> is the producer's EventBridge source: the file's rows are published as PaymentRequested
 * under it, as if the producer had put them on the bus itself.
 */
export const IMPORT_BUCKET_LAYOUT = {
  incomingPrefix: 'incoming/',
  resultsPrefix: 'results/',
  resultContentType: 'text/csv; charset=utf-8',
  /** Result files are kept this long on AWS (lifecycle rule); the BatchImported event carries the counts. */
  resultRetentionDays: 90,
  /** Uploads are kept this long (their rows are payment requests: long enough to audit and re-import). */
  incomingRetentionDays: 35,
} as const;

/** A producer's source as it may appear in a key: lower-case reverse-DNS (the API clients' and producers' rule). */
export const ImportSource = z.string().check(
  z.regex(/^[a-z0-9][a-z0-9.-]{1,63}$/, 'source is a lower-case reverse-DNS name'),
  z.refine((source) => !source.startsWith('paysaga.'), 'paysaga.* sources belong to paysaga itself'),
);

/** IMPORT_SOURCES: the sources that may upload, as a JSON array (stage config producers; local API clients). */
export const ImportSources = z.array(ImportSource);

export class ImportSourcesConfigurationError extends Error {
  override readonly name = 'ImportSourcesConfigurationError';
}

export function parseImportSources(json: string | undefined): ReadonlySet<string> {
  if (!json) throw new ImportSourcesConfigurationError('IMPORT_SOURCES is not set: no producer may import');
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ImportSourcesConfigurationError('IMPORT_SOURCES is not JSON');
  }
  const parsed = ImportSources.safeParse(raw);
  if (!parsed.success) {
    throw new ImportSourcesConfigurationError(`IMPORT_SOURCES is invalid: ${z.prettifyError(parsed.error)}`);
  }
  return new Set(parsed.data);
}

/** The prefix a producer uploads under. */
export const incomingPrefix = (source: string): string => `${IMPORT_BUCKET_LAYOUT.incomingPrefix}${source}/`;

/** Where the upload's key puts it: incoming/<source>/<file> (file non-empty, any depth). */
export type IncomingKey =
  | { readonly ok: true; readonly source: string; readonly file: string }
  | { readonly ok: false; readonly reason: string };

export function parseIncomingKey(key: string): IncomingKey {
  const { incomingPrefix: prefix } = IMPORT_BUCKET_LAYOUT;
  if (!key.startsWith(prefix)) return { ok: false, reason: `the key is not under ${prefix}` };
  const rest = key.slice(prefix.length);
  const slash = rest.indexOf('/');
  const source = slash > 0 ? rest.slice(0, slash) : '';
  const file = slash > 0 ? rest.slice(slash + 1) : '';
  if (source === '' || file === '' || file.endsWith('/')) {
    return { ok: false, reason: `upload files as ${prefix}<source>/<file>.csv` };
  }
  return { ok: true, source, file };
}

/** results/<source>/<file>, with .csv added unless the file already ends in it. */
export function resultKeyOf(incomingKey: string): string {
  const { incomingPrefix: prefix, resultsPrefix } = IMPORT_BUCKET_LAYOUT;
  const rest = incomingKey.startsWith(prefix) ? incomingKey.slice(prefix.length) : incomingKey;
  return `${resultsPrefix}${rest}${rest.toLowerCase().endsWith('.csv') ? '' : '.csv'}`;
}

/** One upload: the object key and S3's sequencer for it (a retried event resumes, a re-upload starts over). */
export const importIdOf = (key: string, sequencer: string): string => `${key}@${sequencer}`;

/** Where S3 events the import function could not take after its retries wait (AWS: its async on-failure destination). */
export const importDlqName = (stage: string): string => `paysaga-${stage}-import-dlq`;
