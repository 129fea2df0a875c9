import { randomUUID } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDocumentClient, GetCommand, PutCommand } from '../../core/aws/dynamodb';
import { sendHttp } from '../../core/aws/http';
import { signV4 } from '../../core/aws/sigv4';
import { AwsServiceError } from '../../local/edge/aws-json-service';
import { type Edge, startEdge } from '../../local/edge/edge-server';
import { IN_PROCESS_CHANNEL, type InProcessExchanged, inProcessEndpoint } from '../../local/edge/in-process';
import { countDynamoWrites } from '../helpers/dynamo-writes';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime';

// The handlers the local runtime runs call its edge in process (local/edge/in-process.ts, serveInProcess
// in core/aws/http.ts): no loopback socket, no HTTP framing on either end. What they get must be what
// the same request gets over HTTP, byte for byte, errors included; the request counters see both ways.

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A signed AWS JSON-protocol request, as the lean clients build it. */
function signed(endpoint: string, target: string, input: unknown, service: string, region: string) {
  const url = new URL(endpoint);
  const body = JSON.stringify(input);
  const headers = signV4({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
    body,
    service,
    region,
    credentials,
  });
  return { url, headers, body };
}

/** The request over the loopback socket, whatever serveInProcess says. */
function overSocket(request: ReturnType<typeof signed>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(request.url, { method: 'POST', headers: request.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end(request.body);
  });
}

/** The request as a handler of the runtime's process sends it (core/aws/http.ts sendHttp). */
async function asHandler(request: ReturnType<typeof signed>): Promise<Answer> {
  const answer = await sendHttp('POST', request.url, request.headers, request.body, 5_000);
  return { status: answer.status, headers: answer.headers, body: answer.body.toString() };
}

/** Sockets the runtime's process accepted while `act` ran, and the exchanges answered in process. */
async function watch<T>(port: number, act: () => Promise<T>) {
  let sockets = 0;
  const inProcess: InProcessExchanged[] = [];
  const onHttp = (message: unknown) => {
    const { request } = message as { request: { socket: { localPort?: number } } };
    if (request.socket.localPort === port) sockets++;
  };
  const onInProcess = (message: unknown) => {
    if ((message as InProcessExchanged).port === port) inProcess.push(message as InProcessExchanged);
  };
  subscribe('http.server.request.start', onHttp);
  subscribe(IN_PROCESS_CHANNEL, onInProcess);
  try {
    const result = await act();
    return { result, sockets, inProcess };
  } finally {
    unsubscribe('http.server.request.start', onHttp);
    unsubscribe(IN_PROCESS_CHANNEL, onInProcess);
  }
}

describe('the runtime edge in process: DynamoDB', () => {
  let runtime: TestRuntime;
  let port: number;
  const table = () => runtime.names.tables.payments;
  const dynamo = (target: string, input: unknown) =>
    signed(runtime.endpoint, `DynamoDB_20120810.${target}`, input, 'dynamodb', runtime.region);

  beforeAll(async () => {
    runtime = await startTestRuntime({ sandbox: false, frontDoor: false });
    port = Number(new URL(runtime.endpoint).port);
  });
  afterAll(async () => {
    await runtime?.dispose();
  });

  it("answers a handler's call without a socket, and the counters see it once", async () => {
    // Prepare
    const client = new DynamoDocumentClient({
      endpoint: runtime.endpoint,
      region: runtime.region,
      credentials,
    });
    const id = `inproc-${randomUUID()}`;

    // Act
    const watched = await watch(port, async () => {
      await client.send(new PutCommand({ TableName: table(), Item: { pk: id, sk: 'A', n: 1 } }));
      return client.send(new GetCommand({ TableName: table(), Key: { pk: id, sk: 'A' } }));
    });

    // Assess
    expect(watched.result.Item).toEqual({ pk: id, sk: 'A', n: 1 });
    expect(watched.sockets).toBe(0);
    expect(watched.inProcess.map((e) => e.request.headers['x-amz-target'])).toEqual([
      'DynamoDB_20120810.PutItem',
      'DynamoDB_20120810.GetItem',
    ]);
    const answers = await Promise.all(watched.inProcess.map((e) => e.answered));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
  });

  it('is counted as it arrives, as over HTTP: a write sent before the counter pauses counts, with its answer', async () => {
    // Prepare
    const client = new DynamoDocumentClient({
      endpoint: runtime.endpoint,
      region: runtime.region,
      credentials,
    });
    const counter = countDynamoWrites(runtime.endpoint);
    const id = `counted-${randomUUID()}`;

    // Act: counting stops while the write is with the worker, before its answer.
    counter.start();
    const sent = client.send(new PutCommand({ TableName: table(), Item: { pk: id, sk: 'A' } }));
    await new Promise((resolve) => setImmediate(resolve));
    counter.pause();
    await sent;
    counter.stop();

    // Assess
    expect(counter.writes).toEqual([
      expect.objectContaining({ operation: 'PutItem', pk: id, sk: 'A', status: 200 }),
    ]);
  });

  it('answers as dynalite answers over HTTP: items, refused conditions, validation and unknown tables', async () => {
    // Prepare
    const id = `same-${randomUUID()}`;
    // Text beyond ASCII: the answer must come back as the same UTF-8 bytes.
    const text = { S: 'héllo ✓ 😀 \u0000 end' };
    await asHandler(dynamo('PutItem', { TableName: table(), Item: { pk: { S: id }, sk: { S: 'A' }, text } }));
    const requests = [
      dynamo('GetItem', { TableName: table(), Key: { pk: { S: id }, sk: { S: 'A' } } }),
      dynamo('PutItem', { TableName: table(), Item: { pk: { S: id }, sk: { S: 'B' }, text } }),
      dynamo('Query', {
        TableName: table(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: id } },
      }),
      dynamo('PutItem', {
        TableName: table(),
        Item: { pk: { S: id }, sk: { S: 'A' } },
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
      dynamo('GetItem', { TableName: table(), Key: { pk: { S: id } } }),
      dynamo('GetItem', { TableName: `missing-${id}`, Key: { pk: { S: id }, sk: { S: 'A' } } }),
      dynamo('NoSuchOperation', {}),
    ];

    for (const request of requests) {
      // Act
      const viaSocket = await overSocket(request);
      const inProcess = await asHandler(request);

      // Assess
      const what = request.headers['x-amz-target'];
      expect({ what, status: inProcess.status, body: inProcess.body }).toEqual({
        what,
        status: viaSocket.status,
        body: viaSocket.body,
      });
      expect(inProcess.headers['content-type']).toBe(viaSocket.headers['content-type']);
      expect(inProcess.headers['x-amz-crc32']).toBe(viaSocket.headers['x-amz-crc32']);
    }
    expect(requests).toHaveLength(7);
    const read = await asHandler(requests[0] as (typeof requests)[0]);
    expect(JSON.parse(read.body).Item.text).toEqual(text);
  });
});

describe('the edge in process: JSON-protocol services', () => {
  let edge: Edge;
  const failures: string[] = [];

  beforeAll(async () => {
    edge = await startEdge({
      port: 0,
      region: 'eu-west-1',
      services: [
        {
          targetPrefix: 'Fake',
          signingName: 'fake',
          async handle(operation, input, context) {
            if (operation === 'Refuse') throw new AwsServiceError('InvalidArn', 'refused on purpose');
            if (operation === 'Crash') throw new Error('a bug in the service');
            return { operation, input, region: context.region, accessKeyId: context.accessKeyId };
          },
        },
      ],
      onInternalError: (_error, target) => failures.push(target),
    });
  });
  afterAll(async () => {
    await edge?.close();
  });

  it('answers outputs, service errors and internal failures as over HTTP', async () => {
    // Prepare
    const request = (operation: string, input: unknown) =>
      signed(edge.endpoint, `Fake.${operation}`, input, 'fake', 'eu-west-1');
    const requests = [
      request('Echo', { a: 1, text: 'héllo' }),
      request('Refuse', {}),
      request('Crash', {}),
      { ...request('Echo', {}), body: '{not json' },
      { ...request('Echo', {}), body: '[1]' },
    ];

    for (const sent of requests) {
      // Act
      const viaSocket = await overSocket(sent);
      const answered = edge.exchange({
        method: 'POST',
        url: '/',
        headers: sent.headers,
        body: Buffer.from(sent.body),
      });
      const inProcess = await answered;

      // Assess
      expect(inProcess).toBeDefined();
      expect({ status: inProcess?.status, body: inProcess?.body.toString() }).toEqual({
        status: viaSocket.status,
        body: viaSocket.body,
      });
      expect(inProcess?.headers['x-amzn-errortype']).toBe(viaSocket.headers['x-amzn-errortype']);
    }
    expect(failures).toEqual(['Fake.Crash', 'Fake.Crash']);
  });

  it("refuses a body over the edge's limit as over HTTP, and reads header names in any case", async () => {
    // Prepare
    const endpoint = inProcessEndpoint(edge);
    const url = new URL(`${edge.endpoint}/`);
    const headers = { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'Fake.Echo' };

    // Act
    const tooLarge = await endpoint(
      'POST',
      url,
      headers,
      JSON.stringify({ big: 'x'.repeat(2 * 1024 * 1024) }),
    )?.();
    const echoed = await endpoint('POST', url, headers, '{"a":1}')?.();

    // Assess
    expect(tooLarge?.status).toBe(413);
    expect(JSON.parse(String(tooLarge?.body))).toEqual({
      __type: 'SerializationException',
      message: 'request body too large',
    });
    expect(echoed?.status).toBe(200);
    expect(JSON.parse(String(echoed?.body))).toMatchObject({ operation: 'Echo', input: { a: 1 } });
  });

  it('leaves to HTTP what it does not serve in process: no target, another method', () => {
    // Prepare
    const base = { url: '/', body: Buffer.from('{}') };

    // Act
    const withoutTarget = edge.exchange({ ...base, method: 'POST', headers: {} });
    const unknownService = edge.exchange({ ...base, method: 'POST', headers: { 'x-amz-target': 'Nope.Op' } });
    const get = edge.exchange({ ...base, method: 'GET', headers: { 'x-amz-target': 'Fake.Echo' } });

    // Assess
    expect([withoutTarget, unknownService, get]).toEqual([undefined, undefined, undefined]);
  });
});
