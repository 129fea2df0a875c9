import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { IN_PROCESS_CHANNEL, type InProcessExchanged } from '../../local/edge/in-process';

/** The DynamoDB write requests BENCHMARKS.md counts (by X-Amz-Target). */
export const WRITE_OPERATIONS = [
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
];

/** The DynamoDB read requests the cost bench counts beside the writes. */
export const READ_OPERATIONS = ['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems'];

/** One write request as a server received it. */
export interface CountedWrite {
  readonly operation: string;
  readonly table: string;
  readonly pk: string;
  readonly sk: string;
}

/** A DynamoDB attribute value map as it travels on the wire (`{ pk: { S: '...' } }`). */
export type WireItem = Record<string, Record<string, unknown>>;

/** The fields of a request body the counters read. */
export interface CountedRequestBody {
  readonly TableName?: string;
  readonly Key?: WireItem;
  readonly Item?: WireItem;
  readonly ConsistentRead?: boolean;
  readonly UpdateExpression?: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
}

/** One request and, once the server answered, its status and what the answer said about capacity. */
export interface CountedRequest extends CountedWrite {
  readonly body: CountedRequestBody;
  /** The HTTP status of the answer (undefined until it was sent). */
  status?: number;
  /** The error type of a refused request (`ConditionalCheckFailedException`, ...). */
  errorType?: string;
  /** `ConsumedCapacity.CapacityUnits` of the answer, when the request asked for it. */
  capacityUnits?: number;
}

export const describeWrite = (write: CountedWrite): string =>
  `${write.operation} ${write.table} ${write.pk} ${write.sk}`.trimEnd();

/** What an answer's body says: its error type and consumed capacity. */
function readAnswer(counted: CountedRequest, status: number, text: string): void {
  counted.status = status;
  try {
    const answer = JSON.parse(text || '{}') as {
      __type?: string;
      ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[];
    };
    counted.errorType = answer.__type?.replace(/^.*#/, '');
    const consumed = [answer.ConsumedCapacity ?? []].flat();
    if (consumed.length > 0)
      counted.capacityUnits = consumed.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
  } catch {
    // not JSON (a health check): no capacity to read
  }
}

/** Reads the answer's body as the server ends it. */
function observeAnswer(response: ServerResponse, counted: CountedRequest): void {
  const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
  (response as { end: (...args: unknown[]) => ServerResponse }).end = (...args: unknown[]) => {
    const [chunk] = args;
    const text =
      typeof chunk === 'string'
        ? chunk
        : chunk instanceof Uint8Array
          ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString()
          : '';
    readAnswer(counted, response.statusCode, text);
    return end(...args);
  };
}

type Counting = { -readonly [K in keyof CountedRequest]: CountedRequest[K] };

/** The table and key a request body names. */
function readRequest(counted: Counting, text: string): void {
  const body = JSON.parse(text || '{}') as CountedRequestBody;
  const key = body.Key ?? body.Item ?? {};
  counted.table = body.TableName ?? '';
  counted.pk = String(key.pk?.S ?? key.id?.S ?? '');
  counted.sk = String(key.sk?.S ?? '');
  counted.body = body;
}

const operationOf = (target: unknown): string => String(target ?? '').replace(/^DynamoDB_20120810\./, '');

/**
 * Every DynamoDB request of `operations` an HTTP server of this process receives on `endpoint`'s port
 * while counting (the local runtime's edge, or a test's dynalite), and every one the edge on that port
 * serves in process (the handlers' calls: local/edge/in-process.ts), counted as it arrives, with its
 * answer's status and consumed capacity once the server sent it: the edge counter of test/e2e/writes-per-saga.test.ts, also
 * read by `npm run bench:cost`. A request is listed once its body arrived: read `requests` after the
 * calls that sent them returned.
 */
export function countDynamoRequests(endpoint: string, operations: readonly string[]) {
  const port = new URL(endpoint).port;
  const requests: CountedRequest[] = [];
  let counting = false;
  const fresh = (operation: string): Counting => ({ operation, table: '', pk: '', sk: '', body: {} });
  const onRequest = (message: unknown) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    const operation = operationOf(request.headers['x-amz-target']);
    if (!counting || String(request.socket.localPort) !== port || !operations.includes(operation)) return;
    const counted = fresh(operation);
    observeAnswer(response, counted);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      readRequest(counted, Buffer.concat(chunks).toString());
      requests.push(counted);
    });
  };
  const onInProcess = (message: unknown) => {
    const { port: edgePort, request, answered } = message as InProcessExchanged;
    const operation = operationOf(request.headers['x-amz-target']);
    if (!counting || String(edgePort) !== port || !operations.includes(operation)) return;
    const counted = fresh(operation);
    readRequest(counted, request.body.toString());
    requests.push(counted);
    void answered.then((answer) => readAnswer(counted, answer.status, answer.body.toString()));
  };
  subscribe('http.server.request.start', onRequest);
  subscribe(IN_PROCESS_CHANNEL, onInProcess);
  return {
    requests,
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
      unsubscribe(IN_PROCESS_CHANNEL, onInProcess);
    },
  };
}

/** The write requests alone (the writes-per-saga and per-step counts), listed as `writes`. */
export function countDynamoWrites(endpoint: string) {
  const { requests, ...control } = countDynamoRequests(endpoint, WRITE_OPERATIONS);
  return { writes: requests as readonly CountedWrite[], ...control };
}
