import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';

/** The DynamoDB write requests BENCHMARKS.md counts (by X-Amz-Target). */
export const WRITE_OPERATIONS = [
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
];

/** One write request as a server received it. */
export interface CountedWrite {
  readonly operation: string;
  readonly table: string;
  readonly pk: string;
  readonly sk: string;
}

export const describeWrite = (write: CountedWrite): string =>
  `${write.operation} ${write.table} ${write.pk} ${write.sk}`.trimEnd();

/**
 * Every DynamoDB write request an HTTP server of this process receives on `endpoint`'s port while
 * counting (the local runtime's edge, or a test's dynalite): the edge counter of
 * test/e2e/writes-per-saga.test.ts, so a step's writes are counted where a saga's are. A request is
 * listed once its body arrived: read `writes` after the calls that sent them returned.
 */
export function countDynamoWrites(endpoint: string) {
  const port = new URL(endpoint).port;
  const writes: CountedWrite[] = [];
  let counting = false;
  const onRequest = (message: unknown) => {
    const request = (message as { request: IncomingMessage }).request;
    const operation = String(request.headers['x-amz-target'] ?? '').replace(/^DynamoDB_20120810\./, '');
    if (!counting || String(request.socket.localPort) !== port || !WRITE_OPERATIONS.includes(operation))
      return;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as {
        TableName?: string;
        Key?: Record<string, Record<string, string>>;
        Item?: Record<string, Record<string, string>>;
      };
      const key = body.Key ?? body.Item ?? {};
      writes.push({
        operation,
        table: body.TableName ?? '',
        pk: key.pk?.S ?? key.id?.S ?? '',
        sk: key.sk?.S ?? '',
      });
    });
  };
  subscribe('http.server.request.start', onRequest);
  return {
    writes,
    start: () => {
      counting = true;
    },
    /** Stops counting (the counter can start again). */
    pause: () => {
      counting = false;
    },
    stop: () => {
      counting = false;
      unsubscribe('http.server.request.start', onRequest);
    },
  };
}
