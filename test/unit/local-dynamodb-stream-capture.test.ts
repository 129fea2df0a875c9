import { afterAll, describe, expect, it } from 'vitest';
import { type DynamoDbService, startDynamoDb } from '../../local/dynamodb/dynamodb-service';
import { LocalTableStream, type StreamChange } from '../../local/dynamodb/table-stream';
import { removeDir, tempDir } from '../helpers/temp-dirs';

// local/dynamodb: a write to a table with a stream (the outbox's) is logged to the stream before dynalite
// applies it. When that log write fails (ENOSPC, EIO), the write is refused and not applied, and the
// stream goes on: a change left pending held back every later change of the outbox until a restart, and
// an in-process request left close() waiting its whole drain (review of the in-process edge, MEDIUM).

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) removeDir(dir);
});

async function call(dynamo: DynamoDbService, operation: string, input: unknown) {
  const answer = await dynamo.exchange({
    method: 'POST',
    url: '/',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${operation}`,
      'x-amz-date': '20261205T000000Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=local/20261205/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x',
    },
    body: Buffer.from(JSON.stringify(input)),
  });
  return {
    status: answer.status,
    body: JSON.parse(answer.body.toString() || '{}') as Record<string, unknown>,
  };
}

/** Makes the stream's next log write fail, as a full disk would (its descriptor stops working). */
function breakNextLogWrite(stream: LocalTableStream): void {
  (stream as unknown as { logFd: number }).logFd = 2_000_000;
}

describe('a write whose stream log cannot be written', () => {
  it('is refused and not applied, and the stream and close() go on', async () => {
    // Prepare
    const dir = tempDir('paysaga-stream-capture');
    dirs.push(dir);
    const stream = new LocalTableStream('outbox', ['pk'], dir);
    const dynamo = await startDynamoDb({ dataDir: dir, streams: [stream] });
    await call(dynamo, 'CreateTable', {
      TableName: 'outbox',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
    for (let tries = 0; tries < 50; tries++) {
      const table = await call(dynamo, 'DescribeTable', { TableName: 'outbox' });
      if ((table.body.Table as { TableStatus?: string } | undefined)?.TableStatus === 'ACTIVE') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const put = (pk: string) => call(dynamo, 'PutItem', { TableName: 'outbox', Item: { pk: { S: pk } } });

    // Act
    const a = await put('a');
    breakNextLogWrite(stream);
    const b = await put('b');
    const c = await put('c');
    const readB = await call(dynamo, 'GetItem', { TableName: 'outbox', Key: { pk: { S: 'b' } } });
    const readable = stream.read(10).changes.map((change: StreamChange) => change.keys.pk?.S);
    const closing = Date.now();
    await dynamo.close();
    const closeMs = Date.now() - closing;

    // Assess
    expect([a.status, c.status]).toEqual([200, 200]);
    expect(b.status).toBe(500);
    expect(b.body).toMatchObject({ __type: 'InternalFailure' });
    expect(String(b.body.message)).toMatch(
      /could not log the write to its table stream, so did not apply it/,
    );
    expect(readB.body.Item).toBeUndefined();
    expect(readable).toEqual(['a', 'c']);
    expect(closeMs).toBeLessThan(2_000);
  });
});
