import { pipeline, Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { IMPORT_COLUMNS, IMPORT_HEADER, type ImportColumn } from './columns';

/** The file as a whole cannot be imported: nothing of it is published, the result file says why. */
export class MalformedImportError extends Error {
  override readonly name = 'MalformedImportError';
  constructor(
    readonly kind: 'not_utf8' | 'wrong_header' | 'not_csv' | 'empty',
    message: string,
  ) {
    super(message);
  }
}

export interface CsvRow {
  /** 1 for the first row after the header. */
  readonly row: number;
  readonly cells: Readonly<Record<ImportColumn, string>>;
}

/** Decodes UTF-8 chunk by chunk, refusing any invalid sequence (a file that is not UTF-8). */
async function* utf8Text(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = 0;
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    try {
      const text = decoder.decode(bytes, { stream: true });
      if (text !== '') yield text;
    } catch {
      throw new MalformedImportError(
        'not_utf8',
        `the file is not UTF-8 (an invalid byte sequence within bytes ${offset}-${offset + bytes.length})`,
      );
    }
    offset += bytes.length;
  }
  try {
    const rest = decoder.decode();
    if (rest !== '') yield rest;
  } catch {
    throw new MalformedImportError(
      'not_utf8',
      'the file is not UTF-8 (it ends inside a multi-byte sequence)',
    );
  }
}

/**
 * The rows of an import file, streamed (never the whole file in memory): RFC
 * 4180 CSV in UTF-8 (a byte-order mark is allowed), a header that is exactly
 * IMPORT_HEADER, every row with as many fields. Throws MalformedImportError at
 * the first thing that makes the file unreadable; rows before it were yielded,
 * so a caller that must publish nothing of a malformed file reads it through
 * once first (see ./importer.ts).
 */
export async function* csvRows(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<CsvRow> {
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true });
  // pipeline, not pipe: an error of the source (not UTF-8) destroys the parser, so the loop below throws it.
  pipeline(Readable.from(utf8Text(source)), parser, () => undefined);
  let row = 0;
  let header = true;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (header) {
        header = false;
        if (record.join(',') !== IMPORT_HEADER) {
          throw new MalformedImportError(
            'wrong_header',
            `the header is ${JSON.stringify(record.join(',').slice(0, 300))}; expected ${IMPORT_HEADER}`,
          );
        }
        continue;
      }
      row += 1;
      if (record.length !== IMPORT_COLUMNS.length) {
        throw new MalformedImportError(
          'not_csv',
          `row ${row} has ${record.length} fields; every row has the header's ${IMPORT_COLUMNS.length}`,
        );
      }
      const cells = Object.fromEntries(
        IMPORT_COLUMNS.map((column, i) => [column, record[i] ?? '']),
      ) as Record<ImportColumn, string>;
      yield { row, cells };
    }
  } catch (error) {
    if (error instanceof MalformedImportError) throw error;
    const code = (error as { code?: string }).code;
    if (code?.startsWith('CSV_')) {
      throw new MalformedImportError(
        'not_csv',
        `not RFC 4180 CSV after row ${row}: ${(error as Error).message}`,
      );
    }
    throw error;
  }
  if (header)
    throw new MalformedImportError('empty', `the file is empty; the first line must be ${IMPORT_HEADER}`);
}
