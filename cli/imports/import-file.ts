import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '../../core/aws/s3';
import { bucketNames } from '../../core/config/history';
import { ImportSource, incomingPrefix, resultKeyOf } from '../../core/config/imports';
import { RESULT_HEADER } from '../../core/imports/importer';
import type { CliContext } from '../context';
import { CliError, UsageError } from '../errors';

/** A rejected or malformed line of the result file: what a person has to fix. */
export interface ImportProblem {
  readonly row: number;
  readonly paymentId: string;
  readonly outcome: 'rejected' | 'malformed';
  readonly reason: string;
}

export interface ImportReport {
  readonly bucket: string;
  readonly objectKey: string;
  readonly resultKey: string;
  readonly rows: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly duplicate: number;
  /** Why the whole file was refused (malformed, unknown source); nothing was published. */
  readonly malformed?: string;
  readonly problems: readonly ImportProblem[];
}

export interface ImportOptions {
  readonly source: string;
  /** The object's name under incoming/<source>/ (default: the file's name). */
  readonly name?: string;
  readonly timeoutSeconds: number;
  readonly pollMs?: number;
}

const ObjectName = z
  .string()
  .min(1)
  .max(900)
  .regex(/^[\w.-][\w./-]*$/, 'use letters, digits, . _ - and / only');

/** The fields of one result line (RFC 4180: only the reason is ever quoted). */
function resultFields(line: string): [string, string, string, string] {
  const [row = '', paymentId = '', outcome = '', ...rest] = line.split(',');
  const reason = rest.join(',');
  const unquoted = reason.startsWith('"') ? reason.slice(1, -1).replaceAll('""', '"') : reason;
  return [row, paymentId, outcome, unquoted];
}

/** Counts the result file's lines by outcome, streamed (a result of 100,000 rows is never held whole). */
export async function readResult(
  lines: AsyncIterable<string>,
): Promise<Omit<ImportReport, 'bucket' | 'objectKey' | 'resultKey'>> {
  const counts = { rows: 0, accepted: 0, rejected: 0, duplicate: 0 };
  const problems: ImportProblem[] = [];
  let malformed: string | undefined;
  let header = true;
  for await (const line of lines) {
    if (header) {
      header = false;
      if (line !== RESULT_HEADER) throw new CliError(`the result file does not start with ${RESULT_HEADER}`);
      continue;
    }
    if (line === '') continue;
    const [row, paymentId, outcome, reason] = resultFields(line);
    if (outcome === 'malformed') {
      malformed = reason;
      continue;
    }
    counts.rows += 1;
    if (outcome === 'accepted' || outcome === 'rejected' || outcome === 'duplicate') counts[outcome] += 1;
    if (outcome === 'rejected') problems.push({ row: Number(row), paymentId, outcome, reason });
  }
  return { ...counts, ...(malformed !== undefined && { malformed }), problems };
}

/** A result file written after `since` (its previous version, if any, had this ETag and date). */
async function freshResult(
  ctx: CliContext,
  bucket: string,
  key: string,
  before: { eTag?: string; lastModified?: Date } | undefined,
): Promise<boolean> {
  try {
    const head = await ctx.clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    if (!before) return true;
    return (
      head.ETag !== before.eTag || (head.LastModified?.getTime() ?? 0) > (before.lastModified?.getTime() ?? 0)
    );
  } catch (error) {
    if ((error as Error).name === 'NotFound' || (error as Error).name === 'NoSuchKey') return false;
    throw error;
  }
}

async function previousResult(ctx: CliContext, bucket: string, key: string) {
  try {
    const head = await ctx.clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return {
      ...(head.ETag && { eTag: head.ETag }),
      ...(head.LastModified && { lastModified: head.LastModified }),
    };
  } catch (error) {
    if ((error as Error).name === 'NotFound' || (error as Error).name === 'NoSuchKey') return undefined;
    throw uploadError(ctx, error, bucket, key);
  }
}

/** What the person can do about a failed S3 call. */
function uploadError(ctx: CliContext, error: unknown, bucket: string, key: string): Error {
  const name = (error as Error).name;
  const code = (error as { code?: string }).code;
  if (name === 'NoSuchBucket') {
    return new CliError(
      `bucket ${bucket} does not exist on stage ${ctx.stage}: deploy the stage (npx sst deploy), or start the local runtime (npm start) and pass --endpoint`,
    );
  }
  if (name === 'AccessDenied' || name === 'Forbidden') {
    return new CliError(
      `not allowed to use s3://${bucket}/${key}: a producer's role may write only incoming/<its source>/ (stacks/stage-config.ts eventProducers); use your producer role (--profile) and its --source`,
    );
  }
  if (code === 'ECONNREFUSED' || name === 'TimeoutError') {
    return new CliError(
      `cannot reach S3 (${(error as Error).message}): is the local runtime running (npm start), and --endpoint / AWS_ENDPOINT_URL right?`,
    );
  }
  return error as Error;
}

/**
 * payctl import: uploads the file to incoming/<source>/<name> in the stage's imports bucket,
 * waits for the import's result file (results/<source>/<name>.csv) and counts its lines.
 */
export async function importFile(
  ctx: CliContext,
  file: string,
  options: ImportOptions,
): Promise<ImportReport> {
  const source = ImportSource.safeParse(options.source);
  if (!source.success) throw new UsageError(`--source ${options.source}: ${source.error.issues[0]?.message}`);
  const name = ObjectName.safeParse(options.name ?? basename(file));
  if (!name.success)
    throw new UsageError(
      `object name ${options.name ?? basename(file)}: ${name.error.issues[0]?.message} (--name)`,
    );
  const size = await stat(file).then(
    (info) => (info.isFile() ? info.size : undefined),
    () => undefined,
  );
  if (size === undefined) throw new UsageError(`${file} is not a readable file`);
  const bucket = bucketNames(ctx.stage).imports;
  const objectKey = `${incomingPrefix(source.data)}${name.data}`;
  const resultKey = resultKeyOf(objectKey);
  const before = await previousResult(ctx, bucket, resultKey);
  try {
    await ctx.clients.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: objectKey,
        Body: createReadStream(file),
        ContentLength: size,
        ContentType: 'text/csv',
      }),
    );
  } catch (error) {
    throw uploadError(ctx, error, bucket, objectKey);
  }
  ctx.out.note(`uploaded ${file} (${size} bytes) to s3://${bucket}/${objectKey}; waiting for ${resultKey}`);
  const started = Date.now();
  const deadline = started + options.timeoutSeconds * 1000;
  const waiting = ctx.out.progress('importing', options.timeoutSeconds);
  while (!(await freshResult(ctx, bucket, resultKey, before))) {
    if (Date.now() > deadline) {
      waiting.done('timed out');
      throw new CliError(
        `no result after ${options.timeoutSeconds} s: the import may still be running (a big file); look for s3://${bucket}/${resultKey} later (--timeout to wait longer), or read the import function's logs`,
      );
    }
    waiting.tick(Math.round((Date.now() - started) / 1000), 's');
    await sleep(options.pollMs ?? 500);
  }
  waiting.done(`result after ${Math.round((Date.now() - started) / 1000)} s`);
  const object = await ctx.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: resultKey }));
  if (!(object.Body instanceof Readable)) throw new CliError(`the result ${resultKey} has no body`);
  const counted = await readResult(
    createInterface({ input: object.Body, crlfDelay: Number.POSITIVE_INFINITY }),
  );
  return { bucket, objectKey, resultKey, ...counted };
}
