import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type FauxqsS3Store, loadFauxqsS3 } from './fauxqs-s3';

export interface S3ServiceOptions {
  /** Objects live as files under `<dataDir>/s3` (fauxqs's file storage); none: in memory. */
  readonly dataDir?: string;
  readonly region?: string;
}

/** An object was created (PutObject, CompleteMultipartUpload, CopyObject): S3's ObjectCreated:* event. */
export interface ObjectCreated {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  /** S3's event sequencer: hex, increasing for the same key across writes (and across restarts, by time). */
  readonly sequencer: string;
}

/** May return a promise: the write is answered once every listener has taken the event (as S3 queues it first). */
export type ObjectCreatedListener = (event: ObjectCreated) => void | Promise<void>;

let sequence = 0;

/** 12 hex digits of milliseconds then 6 of a counter: increasing in one process, and past a restart. */
function nextSequencer(): string {
  sequence = (sequence + 1) % 0x1000000;
  const ms = Date.now().toString(16).toUpperCase().padStart(12, '0');
  return `${ms}${sequence.toString(16).toUpperCase().padStart(6, '0')}`;
}

const PRECONDITION_FAILED = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>',
].join('\n');

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `/bucket/key...` of a path-style request (fauxqs rewrites virtual-hosted ones the same way). */
function bucketAndKey(url: URL): { bucket: string; key: string } {
  const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
  return { bucket: decodeURIComponent(bucket), key: rest.map(decodeURIComponent).join('/') };
}

/**
 * S3, served by fauxqs's embedded S3 emulator behind the edge (REST requests
 * signed for the `s3` service), objects stored as files under
 * `<dataDir>/s3`. Adds what paysaga relies on and fauxqs 2.4 lacks: the
 * conditional write `If-None-Match: *` (write once, 412 when the key exists),
 * and ObjectCreated notifications for the runtime to wire like S3's bucket
 * notifications. Versioning, Object Lock, storage classes and encryption are
 * bucket settings on AWS (stacks/History.ts); locally they are accepted and ignored.
 */
export class S3Service {
  readonly signingName = 's3';
  private readonly listeners: ObjectCreatedListener[] = [];
  private closed = false;

  private constructor(
    private readonly app: FastifyInstance,
    private readonly store: FauxqsS3Store,
    private readonly closePersistence: () => void,
  ) {}

  static async start(options: S3ServiceOptions = {}): Promise<S3Service> {
    const fauxqs = await loadFauxqsS3();
    const s3Store = new fauxqs.S3Store();
    const persistence = options.dataDir
      ? new fauxqs.FileS3Persistence(join(options.dataDir, 's3'))
      : undefined;
    if (persistence) {
      persistence.loadS3(s3Store);
      s3Store.persistence = persistence;
    }
    const app = fauxqs.buildApp({
      logger: false,
      ...(options.region && { defaultRegion: options.region }),
      stores: { sqsStore: new fauxqs.SqsStore(), snsStore: new fauxqs.SnsStore(), s3Store },
    });
    await app.ready();
    return new S3Service(app, s3Store, () => persistence?.close?.());
  }

  ensureBucket(name: string): void {
    if (!this.store.hasBucket(name)) this.store.createBucket(name);
  }

  /**
   * Called after each object is created, in order, before the write is answered (so an upload
   * answered 200 has been handed to its listeners, as S3 has queued its notification);
   * a throwing or rejecting listener does not fail the upload.
   */
  onObjectCreated(listener: ObjectCreatedListener): void {
    this.listeners.push(listener);
  }

  private exists(bucket: string, key: string): boolean {
    try {
      this.store.headObject(bucket, key);
      return true;
    } catch {
      return false;
    }
  }

  async handleRaw(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://edge');
    if (this.closed) {
      response.writeHead(503, { 'content-type': 'application/xml' });
      response.end(
        '<Error><Code>ServiceUnavailable</Code><Message>the local runtime is stopping</Message></Error>',
      );
      return;
    }
    const { bucket, key } = bucketAndKey(url);
    const objectWrite =
      request.method === 'PUT' &&
      key !== '' &&
      !url.searchParams.has('partNumber') &&
      !url.searchParams.has('uploadId');
    if (objectWrite && request.headers['if-none-match'] === '*' && this.exists(bucket, key)) {
      response.writeHead(412, { 'content-type': 'application/xml' });
      response.end(PRECONDITION_FAILED);
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && name !== 'content-length' && name !== 'transfer-encoding')
        headers[name] = value;
    }
    const injected = await this.app.inject({
      method: request.method as 'GET',
      url: request.url ?? '/',
      headers,
      ...(body.length > 0 && { payload: body }),
    });
    const outHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(injected.headers)) {
      if (name === 'connection' || name === 'transfer-encoding' || value === undefined) continue;
      outHeaders[name] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    const payload = injected.rawPayload;
    const completed = request.method === 'POST' && url.searchParams.has('uploadId');
    if (injected.statusCode === 200 && (objectWrite || completed)) await this.notify(bucket, key);
    if (request.method !== 'HEAD') outHeaders['content-length'] = String(payload.length);
    response.writeHead(injected.statusCode, outHeaders);
    response.end(request.method === 'HEAD' ? undefined : payload);
  }

  private async notify(bucket: string, key: string): Promise<void> {
    let size = 0;
    let etag = '';
    try {
      const head = this.store.headObject(bucket, key);
      size = head.contentLength;
      etag = head.etag;
    } catch {
      return;
    }
    const sequencer = nextSequencer();
    for (const listener of this.listeners) {
      try {
        await listener({ bucket, key, size, etag, sequencer });
      } catch {
        // A listener's failure is its own (it logs); the upload already succeeded, as on S3.
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.app.close();
    this.closePersistence();
  }
}
