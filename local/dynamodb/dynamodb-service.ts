import { mkdirSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import dynalite from 'dynalite';
import type { RawAwsService } from '../edge/raw-service';
import { inFlightRequests } from './in-flight';
import type { LocalTableStream } from './table-stream';

export interface DynamoDbService extends RawAwsService {
  close(): Promise<void>;
}

/**
 * DynamoDB, all of it, by an in-process dynalite. The edge hands it the raw
 * HTTP exchange (no second hop). dynalite listens on an ephemeral loopback
 * port only so that its close() can flush and close LevelDB.
 */
/** How long close() waits for requests in flight before closing the store anyway. */
const CLOSE_DRAIN_MS = 5_000;

export async function startDynamoDb(options: {
  dataDir?: string;
  /** Tables with a stream (the outbox's): their writes are logged before dynalite applies them. */
  streams?: readonly LocalTableStream[];
}): Promise<DynamoDbService> {
  let path: string | undefined;
  if (options.dataDir) {
    path = join(options.dataDir, 'dynamodb');
    mkdirSync(path, { recursive: true });
  }
  const server: Server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(path && { path }),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // Requests reach dynalite by emit, not through its socket, so server.close() does not wait for them:
  // closing LevelDB under one in flight threw "Database is closed" from dynalite and took the process down.
  // In flight until dynalite answers, not until the socket closes (a client that gave up closes it early).
  const inFlight = inFlightRequests();
  let closing = false;
  return {
    targetPrefix: 'DynamoDB_20120810',
    handleRaw(request, response) {
      if (closing) {
        response.writeHead(503, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(
          JSON.stringify({ __type: 'ServiceUnavailable', message: 'the local DynamoDB is stopping' }),
        );
        return;
      }
      inFlight.track(request, response);
      server.emit('request', request, response);
      const target = request.headers['x-amz-target'];
      if (options.streams?.length && typeof target === 'string')
        captureWrites(options.streams, target, request, response);
    },
    async close() {
      closing = true;
      await inFlight.drain(CLOSE_DRAIN_MS);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const stream of options.streams ?? []) stream.close();
    },
  };
}

/**
 * Logs a write's keys to the tables' streams when its body has arrived, which is before dynalite (its
 * 'end' listener came first, and its storage is asynchronous) applies it; settled when it answers.
 */
function captureWrites(
  streams: readonly LocalTableStream[],
  target: string,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    for (const stream of streams) {
      const seqs = stream.capture(target, body);
      if (seqs.length === 0) continue;
      response.once('close', () => stream.settle(seqs, response.statusCode === 200));
    }
  });
}
