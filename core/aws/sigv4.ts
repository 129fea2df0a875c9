import { createHash, createHmac } from 'node:crypto';
import type { AwsCredentials } from './credentials';

/**
 * AWS Signature Version 4 for one HTTP request (header signing), as the SDK's
 * @smithy/signature-v4 does it; test/unit/aws-sigv4.test.ts checks both agree.
 */

export interface RequestToSign {
  readonly method: string;
  readonly url: URL;
  /** Headers to send; `host` and the x-amz-* signing headers are added. */
  readonly headers: Record<string, string>;
  readonly body: string | Uint8Array;
  readonly service: string;
  readonly region: string;
  readonly credentials: AwsCredentials;
  readonly now?: Date;
  /** S3 signs the path as sent (no second encoding) and wants x-amz-content-sha256. */
  readonly s3?: boolean;
}

const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding, as SigV4 wants it. */
export const uriEncode = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const amzDate = (now: Date): string => now.toISOString().replace(/[:-]|\.\d{3}/g, '');

function canonicalPath(url: URL, s3: boolean): string {
  const path = url.pathname || '/';
  if (s3) return path;
  // Other services: each segment decoded then encoded twice over (the SDK's default).
  return path
    .split('/')
    .map((segment) => uriEncode(uriEncode(decodeURIComponent(segment))))
    .join('/');
}

function canonicalQuery(url: URL): string {
  const pairs: [string, string][] = [];
  for (const [key, value] of url.searchParams) pairs.push([uriEncode(key), uriEncode(value)]);
  pairs.sort(([ak, av], [bk, bv]) => (ak === bk ? (av < bv ? -1 : av > bv ? 1 : 0) : ak < bk ? -1 : 1));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/**
 * The signing key of one (day, region, service, credentials): four HMACs, the same for every request of
 * that day, so it is derived once and kept, as the SDK's signer keeps it (@smithy/signature-v4 caches up
 * to 50). A rotated secret under the same access key id derives a new key.
 */
const SIGNING_KEYS_KEPT = 50;
const signingKeys = new Map<string, { readonly secret: string; readonly key: Buffer }>();

export function signingKey(
  credentials: AwsCredentials,
  day: string,
  region: string,
  service: string,
): Buffer {
  const id = `${day}/${region}/${service}/${credentials.accessKeyId}`;
  const kept = signingKeys.get(id);
  if (kept && kept.secret === credentials.secretAccessKey) return kept.key;
  const kDate = hmac(`AWS4${credentials.secretAccessKey}`, day);
  const key = hmac(hmac(hmac(kDate, region), service), 'aws4_request');
  if (signingKeys.size >= SIGNING_KEYS_KEPT) signingKeys.clear();
  signingKeys.set(id, { secret: credentials.secretAccessKey, key });
  return key;
}

/** Returns the headers to send: the request's, plus host, x-amz-date, the token and Authorization. */
export function signV4(request: RequestToSign): Record<string, string> {
  const now = request.now ?? new Date();
  const date = amzDate(now);
  const day = date.slice(0, 8);
  const payloadHash = sha256Hex(request.body);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  headers.host = request.url.host;
  headers['x-amz-date'] = date;
  if (request.credentials.sessionToken) headers['x-amz-security-token'] = request.credentials.sessionToken;
  if (request.s3) headers['x-amz-content-sha256'] = payloadHash;

  const names = Object.keys(headers)
    .filter((name) => name !== 'user-agent' && name !== 'content-length')
    .sort();
  const canonicalHeaders = names
    .map((name) => `${name}:${String(headers[name]).trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalPath(request.url, request.s3 === true),
    canonicalQuery(request.url),
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${day}/${request.region}/${request.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, sha256Hex(canonicalRequest)].join('\n');
  const kSigning = signingKey(request.credentials, day, request.region, request.service);
  const signature = createHmac('sha256', kSigning).update(stringToSign).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${request.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
