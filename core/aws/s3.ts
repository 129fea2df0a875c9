import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { resolveCredentials, resolveEndpoint, resolveRegion } from './credentials';
import { AwsServiceError } from './errors';
import { openHttp, withRetries } from './http';
import type {
  GetObjectCommandInput,
  GetObjectCommandOutput,
  HeadObjectCommandInput,
  HeadObjectCommandOutput,
  ListObjectsV2CommandInput,
  ListObjectsV2CommandOutput,
  ObjectAnswer,
  PutObjectCommandInput,
  PutObjectCommandOutput,
  S3Body,
  S3ClientConfig,
  S3Object,
} from './s3-types';
import { signV4, uriEncode } from './sigv4';
import { xmlElement as element, xmlElements as elements } from './xml';

export type * from './s3-types';

/**
 * Amazon S3 over the lean transport (REST-XML), shaped as @aws-sdk/client-s3
 * for what paysaga calls: PutObject, GetObject (Body a stream with
 * transformToString, as the SDK's), HeadObject, ListObjectsV2. Path-style
 * addressing on a custom endpoint (the local edge) or with forcePathStyle,
 * virtual-hosted on AWS. Errors carry S3's <Code> as their name (NoSuchKey,
 * PreconditionFailed); a HEAD's 404 is NotFound, as the SDK names it.
 */

interface S3Request {
  readonly method: 'GET' | 'PUT' | 'HEAD';
  readonly bucket: string;
  readonly key?: string;
  readonly query?: Record<string, string | undefined>;
  readonly headers?: Record<string, string | undefined>;
  readonly body?: string | Uint8Array;
}

abstract class S3Command<Input, Output> {
  declare readonly outputType?: Output;
  constructor(readonly input: Input) {}
  abstract request(): S3Request | Promise<S3Request>;
  /** Reads the answer (the body stream is consumed here unless the output keeps it). */
  abstract fromAnswer(answer: IncomingMessage): Promise<Output>;
}

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

function objectAnswer(headers: IncomingHttpHeaders): ObjectAnswer {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('x-amz-meta-') && typeof value === 'string') metadata[name.slice(11)] = value;
  }
  const length = header(headers, 'content-length');
  const modified = header(headers, 'last-modified');
  const answer = {
    ETag: header(headers, 'etag'),
    VersionId: header(headers, 'x-amz-version-id'),
    ContentType: header(headers, 'content-type'),
    ContentLength: length === undefined ? undefined : Number(length),
    LastModified: modified === undefined ? undefined : new Date(modified),
    Metadata: metadata,
  };
  return Object.fromEntries(Object.entries(answer).filter(([, v]) => v !== undefined)) as ObjectAnswer;
}

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function bodyOf(stream: IncomingMessage): S3Body {
  return Object.assign(stream, {
    transformToString: async (encoding: BufferEncoding = 'utf8') =>
      (await readAll(stream)).toString(encoding),
    transformToByteArray: async () => new Uint8Array(await readAll(stream)),
  });
}

export class PutObjectCommand extends S3Command<PutObjectCommandInput, PutObjectCommandOutput> {
  async request(): Promise<S3Request> {
    const { Bucket, Key, Body, ContentType, StorageClass, IfNoneMatch, IfMatch, Metadata } = this.input;
    const headers: Record<string, string | undefined> = {
      'content-type': ContentType,
      'x-amz-storage-class': StorageClass,
      'if-none-match': IfNoneMatch,
      'if-match': IfMatch,
    };
    for (const [name, value] of Object.entries(Metadata ?? {}))
      headers[`x-amz-meta-${name.toLowerCase()}`] = value;
    const body =
      Body === undefined || typeof Body === 'string' || Body instanceof Uint8Array
        ? Body
        : await readAll(Body);
    return { method: 'PUT', bucket: Bucket, key: Key, headers, body: body ?? '' };
  }
  async fromAnswer(answer: IncomingMessage): Promise<PutObjectCommandOutput> {
    await readAll(answer);
    const { ETag, VersionId } = objectAnswer(answer.headers);
    return { ...(ETag && { ETag }), ...(VersionId && { VersionId }) };
  }
}

export class GetObjectCommand extends S3Command<GetObjectCommandInput, GetObjectCommandOutput> {
  request(): S3Request {
    const { Bucket, Key, VersionId, IfMatch } = this.input;
    return {
      method: 'GET',
      bucket: Bucket,
      key: Key,
      query: { versionId: VersionId },
      headers: { 'if-match': IfMatch },
    };
  }
  async fromAnswer(answer: IncomingMessage): Promise<GetObjectCommandOutput> {
    return { ...objectAnswer(answer.headers), Body: bodyOf(answer) };
  }
}

export class HeadObjectCommand extends S3Command<HeadObjectCommandInput, HeadObjectCommandOutput> {
  request(): S3Request {
    const { Bucket, Key, VersionId, IfMatch } = this.input;
    return {
      method: 'HEAD',
      bucket: Bucket,
      key: Key,
      query: { versionId: VersionId },
      headers: { 'if-match': IfMatch },
    };
  }
  async fromAnswer(answer: IncomingMessage): Promise<HeadObjectCommandOutput> {
    await readAll(answer);
    return objectAnswer(answer.headers);
  }
}

export class ListObjectsV2Command extends S3Command<ListObjectsV2CommandInput, ListObjectsV2CommandOutput> {
  request(): S3Request {
    const { Bucket, Prefix, ContinuationToken, StartAfter, MaxKeys } = this.input;
    return {
      method: 'GET',
      bucket: Bucket,
      query: {
        'list-type': '2',
        prefix: Prefix,
        'continuation-token': ContinuationToken,
        'start-after': StartAfter,
        'max-keys': MaxKeys === undefined ? undefined : String(MaxKeys),
      },
    };
  }
  async fromAnswer(answer: IncomingMessage): Promise<ListObjectsV2CommandOutput> {
    const xml = (await readAll(answer)).toString('utf8');
    const contents = elements(xml, 'Contents').map((entry): S3Object => {
      const size = element(entry, 'Size');
      const modified = element(entry, 'LastModified');
      const object = {
        Key: element(entry, 'Key'),
        Size: size === undefined ? undefined : Number(size),
        ETag: element(entry, 'ETag'),
        LastModified: modified === undefined ? undefined : new Date(modified),
        StorageClass: element(entry, 'StorageClass'),
      };
      return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
    });
    const keyCount = element(xml, 'KeyCount');
    const token = element(xml, 'NextContinuationToken');
    const prefix = element(xml, 'Prefix');
    return {
      ...(contents.length > 0 && { Contents: contents }),
      IsTruncated: element(xml, 'IsTruncated') === 'true',
      ...(token && { NextContinuationToken: token }),
      ...(keyCount !== undefined && { KeyCount: Number(keyCount) }),
      ...(prefix !== undefined && { Prefix: prefix }),
    };
  }
}

/** What S3 answered with an error: the XML's <Code>, else NotFound for a 404 (HEAD has no body), as the SDK. */
async function errorOf(answer: IncomingMessage): Promise<AwsServiceError> {
  const xml = (await readAll(answer)).toString('utf8');
  const status = answer.statusCode ?? 0;
  const code =
    element(xml, 'Code') ?? (status === 404 ? 'NotFound' : status === 412 ? 'PreconditionFailed' : 'Unknown');
  const requestId = element(xml, 'RequestId') ?? header(answer.headers, 'x-amz-request-id');
  return new AwsServiceError(code, element(xml, 'Message') ?? '', status, requestId);
}

/** A bucket that can be a DNS label under s3.<region>.amazonaws.com (and TLS-safe: no dots). */
const virtualHostable = (bucket: string): boolean => /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket);

interface Resolved {
  readonly region: string;
  readonly endpoint: URL;
  /** A custom endpoint (the local edge): path-style addressing. */
  readonly custom: boolean;
}

const encodeKey = (key: string): string => key.split('/').map(uriEncode).join('/');

export class S3Client {
  private resolved: Promise<Resolved> | undefined;

  constructor(private readonly config: S3ClientConfig = {}) {}

  /** Nothing to release (sockets are shared and kept alive); there for the SDK's shape. */
  destroy(): void {}

  async send<Input, Output>(command: S3Command<Input, Output>): Promise<Output> {
    const request = await command.request();
    const answer = await withRetries(() => this.once(request), { maxAttempts: this.config.maxAttempts ?? 3 });
    return command.fromAnswer(answer);
  }

  /** Region and endpoint, resolved at the first call; a failed resolution (no region) is not kept. */
  private resolve(): Promise<Resolved> {
    this.resolved ??= (async () => {
      const { region: given } = this.config;
      const region = resolveRegion(typeof given === 'function' ? await given() : given);
      const found = this.config.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
      const endpoint = resolveEndpoint(this.config.endpoint, 'S3', (r) => `s3.${r}.amazonaws.com`, region);
      return { region, endpoint, custom: found !== undefined };
    })();
    this.resolved.catch(() => {
      this.resolved = undefined;
    });
    return this.resolved;
  }

  private url(request: S3Request, resolved: Resolved): URL {
    const { endpoint, custom } = resolved;
    const key = request.key === undefined ? '' : encodeKey(request.key);
    const base = endpoint.pathname.replace(/\/$/, '');
    const url = new URL(endpoint.href);
    if (custom || this.config.forcePathStyle || !virtualHostable(request.bucket)) {
      url.pathname = `${base}/${uriEncode(request.bucket)}${request.key === undefined ? '' : `/${key}`}`;
    } else {
      url.host = `${request.bucket}.${endpoint.host}`;
      url.pathname = `${base}/${key}`;
    }
    // Encoded as SigV4 does (%20, not '+'), so the query sent is the one signed.
    url.search = Object.entries(request.query ?? {})
      .filter((pair): pair is [string, string] => pair[1] !== undefined)
      .map(([name, value]) => `${uriEncode(name)}=${uriEncode(value)}`)
      .join('&');
    return url;
  }

  private async once(request: S3Request): Promise<IncomingMessage> {
    const resolved = await this.resolve();
    const url = this.url(request, resolved);
    const credentials = await resolveCredentials(this.config.credentials);
    const body = request.body ?? '';
    const headers: Record<string, string> = { 'user-agent': 'paysaga-lean-aws/1' };
    for (const [name, value] of Object.entries(request.headers ?? {}))
      if (value !== undefined) headers[name] = value;
    const signed = signV4({
      method: request.method,
      url,
      headers,
      body,
      service: 's3',
      region: resolved.region,
      credentials,
      s3: true,
    });
    const answer = await openHttp(request.method, url, signed, body, this.config.requestTimeoutMs ?? 30_000);
    const status = answer.statusCode ?? 0;
    if (status >= 200 && status < 300) return answer;
    throw await errorOf(answer);
  }
}
