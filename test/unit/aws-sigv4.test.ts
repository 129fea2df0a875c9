import { createHmac } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { signingKey, signV4 } from '../../core/aws/sigv4';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const now = new Date('2015-08-30T12:36:00Z');

async function sdkSignature(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string,
  service: string,
  options: { sessionToken?: string; s3?: boolean } = {},
): Promise<string> {
  const signer = new SignatureV4({
    credentials: { ...credentials, ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}) },
    region: 'us-east-1',
    service,
    sha256: Sha256,
    uriEscapePath: !options.s3,
    applyChecksum: options.s3 === true,
  });
  const query: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) query[k] = [...(query[k] ?? []), v];
  const signed = await signer.sign(
    {
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query,
      headers: { ...headers, host: url.host },
      body,
    },
    { signingDate: now },
  );
  return String(signed.headers.authorization);
}

describe('signV4', () => {
  it('matches the AWS test suite (get-vanilla)', () => {
    // Prepare / Act
    const headers = signV4({
      method: 'GET',
      url: new URL('https://example.amazonaws.com/'),
      headers: {},
      body: '',
      service: 'service',
      region: 'us-east-1',
      credentials,
      now,
    });
    // Assess
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });

  it.each([
    [
      'a JSON POST with a session token',
      'POST',
      'http://127.0.0.1:4566/',
      '{"TableName":"t"}',
      'dynamodb',
      { sessionToken: 'tok/en+=' },
    ],
    [
      'a query string with spaces and reserved characters',
      'GET',
      'https://sqs.us-east-1.amazonaws.com/?b=2&a=x%20y&a=%21z',
      '',
      'sqs',
      {},
    ],
    [
      'an S3 key with spaces and slashes',
      'PUT',
      'https://bucket.s3.us-east-1.amazonaws.com/incoming/a%20b/c%2Bd.csv',
      'row\n',
      's3',
      { s3: true },
    ],
  ] as const)('agrees with the SDK signer for %s', async (_label, method, raw, body, service, options) => {
    // Prepare
    const url = new URL(raw);
    const base = {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.GetItem',
    };
    // Act
    const ours = signV4({
      method,
      url,
      headers: base,
      body,
      service,
      region: 'us-east-1',
      credentials: {
        ...credentials,
        ...('sessionToken' in options ? { sessionToken: options.sessionToken } : {}),
      },
      now,
      s3: 's3' in options,
    });
    // Assess
    const sdk = await sdkSignature(
      url,
      method,
      { ...base, ...('s3' in options ? { 'x-amz-content-sha256': ours['x-amz-content-sha256'] ?? '' } : {}) },
      body,
      service,
      options,
    );
    expect(ours.authorization).toBe(sdk);
  });

  it('derives a signing key once per day, region, service and credentials, and again for a rotated secret', () => {
    // Prepare
    const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
    const derive = (secret: string, day: string) =>
      hmac(hmac(hmac(hmac(`AWS4${secret}`, day), 'eu-west-1'), 'dynamodb'), 'aws4_request');
    const id = `AKID${Date.now()}`;
    const first = { accessKeyId: id, secretAccessKey: 'secret-one' };
    const rotated = { accessKeyId: id, secretAccessKey: 'secret-two' };
    // Act
    const a = signingKey(first, '20261205', 'eu-west-1', 'dynamodb');
    const again = signingKey(first, '20261205', 'eu-west-1', 'dynamodb');
    const nextDay = signingKey(first, '20261206', 'eu-west-1', 'dynamodb');
    const afterRotation = signingKey(rotated, '20261205', 'eu-west-1', 'dynamodb');
    // Assess
    expect(again).toBe(a);
    expect(a.equals(derive('secret-one', '20261205'))).toBe(true);
    expect(nextDay.equals(derive('secret-one', '20261206'))).toBe(true);
    expect(afterRotation.equals(derive('secret-two', '20261205'))).toBe(true);
  });

  it('signs as the SDK does after the key is kept and after the secret rotates', async () => {
    // Prepare
    const url = new URL('http://127.0.0.1:4566/');
    const base = {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.PutItem',
    };
    const sign = (secretAccessKey: string) =>
      signV4({
        method: 'POST',
        url,
        headers: base,
        body: '{}',
        service: 'dynamodb',
        region: 'us-east-1',
        credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey },
        now,
      }).authorization;
    // Act
    const kept = [sign(credentials.secretAccessKey), sign(credentials.secretAccessKey)];
    const rotated = sign('rotated-secret');
    // Assess
    const sdk = await sdkSignature(url, 'POST', base, '{}', 'dynamodb');
    expect(kept).toEqual([sdk, sdk]);
    expect(rotated).not.toBe(sdk);
    expect(rotated).toContain(
      `Credential=${credentials.accessKeyId}/20150830/us-east-1/dynamodb/aws4_request`,
    );
  });
});
