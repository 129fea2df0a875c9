import { randomUUID } from 'node:crypto';
import * as sdkS3 from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '../../core/aws/s3';
import { type LocalS3, startLocalS3 } from '../helpers/s3';

// The lean S3 client (core/aws/s3.ts) against the local runtime's S3 (fauxqs behind the edge), path-style
// as on any custom endpoint: every command paysaga sends, compared with what the AWS SDK v3 client answers.

let s3: LocalS3;
let lean: S3Client;
let reference: sdkS3.S3Client;

beforeAll(async () => {
  s3 = await startLocalS3({ prefix: 'lean' });
  const config = {
    endpoint: s3.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  lean = new S3Client(config);
  reference = new sdkS3.S3Client(config);
});
afterAll(async () => {
  reference?.destroy();
  await s3?.stop();
});

const failure = (promise: Promise<unknown>) => promise.then(() => undefined).catch((error: unknown) => error);

describe('S3Client against the local S3', () => {
  it('puts and gets an object (a key with spaces, unicode and slashes), its ETag, metadata and body as the SDK', async () => {
    // Prepare
    const Key = `archive/2026-12-05/ä b+c/${randomUUID()}.json`;
    const body = JSON.stringify({ text: 'ünïcödé', n: 1 });
    // Act
    const put = await lean.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key,
        Body: body,
        ContentType: 'application/json',
        Metadata: { 'content-hash': 'abc123' },
      }),
    );
    const got = await lean.send(new GetObjectCommand({ Bucket: s3.bucket, Key, IfMatch: put.ETag }));
    const text = await got.Body?.transformToString('utf8');
    const head = await lean.send(new HeadObjectCommand({ Bucket: s3.bucket, Key }));
    const sdkHead = await reference.send(new sdkS3.HeadObjectCommand({ Bucket: s3.bucket, Key }));
    // Assess
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(text).toBe(body);
    expect(got.ETag).toBe(put.ETag);
    expect(head.ETag).toBe(sdkHead.ETag);
    expect(head.ContentLength).toBe(sdkHead.ContentLength);
    expect(head.Metadata).toEqual(sdkHead.Metadata);
    expect(head.Metadata).toEqual({ 'content-hash': 'abc123' });
  });

  it('streams a body that callers iterate (the CSV importer) and reads a stream as the body of a put', async () => {
    // Prepare
    const Key = `imports/${randomUUID()}.csv`;
    const lines = Array.from({ length: 2000 }, (_, i) => `line-${i},${'x'.repeat(40)}`).join('\n');
    async function* chunks() {
      yield new TextEncoder().encode(lines.slice(0, 1000));
      yield new TextEncoder().encode(lines.slice(1000));
    }
    // Act
    await lean.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key, Body: chunks(), ContentType: 'text/csv' }),
    );
    const got = await lean.send(new GetObjectCommand({ Bucket: s3.bucket, Key }));
    const parts: Buffer[] = [];
    for await (const chunk of got.Body ?? []) parts.push(Buffer.from(chunk));
    // Assess
    expect(Buffer.concat(parts).toString('utf8')).toBe(lines);
  });

  it('names refusals as the SDK: PreconditionFailed (If-None-Match, If-Match), NoSuchKey, NotFound on HEAD', async () => {
    // Prepare
    const Key = `archive/${randomUUID()}.json`;
    await lean.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body: '{}', IfNoneMatch: '*' }));
    // Act
    const again = (await failure(
      lean.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body: '{"x":1}', IfNoneMatch: '*' })),
    )) as Error & { $metadata: { httpStatusCode: number } };
    const sdkAgain = (await failure(
      reference.send(
        new sdkS3.PutObjectCommand({ Bucket: s3.bucket, Key, Body: '{"x":1}', IfNoneMatch: '*' }),
      ),
    )) as Error;
    const wrongTag = (await failure(
      lean.send(new GetObjectCommand({ Bucket: s3.bucket, Key, IfMatch: '"0000"' })),
    )) as Error;
    const sdkWrongTag = (await failure(
      reference.send(new sdkS3.GetObjectCommand({ Bucket: s3.bucket, Key, IfMatch: '"0000"' })),
    )) as Error;
    const missing = (await failure(
      lean.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `${Key}.nope` })),
    )) as Error;
    const headMissing = (await failure(
      lean.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `${Key}.nope` })),
    )) as Error;
    const sdkHeadMissing = (await failure(
      reference.send(new sdkS3.HeadObjectCommand({ Bucket: s3.bucket, Key: `${Key}.nope` })),
    )) as Error;
    // Assess
    expect(again.name).toBe(sdkAgain.name);
    expect(again.name).toBe('PreconditionFailed');
    expect(again.$metadata.httpStatusCode).toBe(412);
    expect(wrongTag.name).toBe(sdkWrongTag.name);
    expect(missing.name).toBe('NoSuchKey');
    expect(headMissing.name).toBe(sdkHeadMissing.name);
    expect(headMissing.name).toBe('NotFound');
  });

  it('lists keys under a prefix page by page, as the SDK', async () => {
    // Prepare
    const Prefix = `history/${randomUUID()}/`;
    const keys = Array.from({ length: 5 }, (_, i) => `${Prefix}${i} x&y.json`);
    for (const Key of keys) await lean.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body: '{}' }));
    // Act
    const listed: string[] = [];
    let ContinuationToken: string | undefined;
    let pages = 0;
    do {
      const page = await lean.send(
        new ListObjectsV2Command({ Bucket: s3.bucket, Prefix, MaxKeys: 2, ContinuationToken }),
      );
      listed.push(...(page.Contents ?? []).map((entry) => entry.Key ?? ''));
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      pages += 1;
    } while (ContinuationToken);
    const sdkPage = await reference.send(new sdkS3.ListObjectsV2Command({ Bucket: s3.bucket, Prefix }));
    const leanPage = await lean.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix }));
    // Assess
    expect(listed).toEqual(keys);
    expect(pages).toBe(3);
    expect(leanPage.Contents?.map(({ Key, Size, ETag }) => ({ Key, Size, ETag }))).toEqual(
      sdkPage.Contents?.map(({ Key, Size, ETag }) => ({ Key, Size, ETag })),
    );
    expect(leanPage.Contents?.[0]?.LastModified).toEqual(sdkPage.Contents?.[0]?.LastModified);
    expect(leanPage.KeyCount).toBe(sdkPage.KeyCount);
  });
});
