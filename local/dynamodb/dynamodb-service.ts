import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import dynalite from 'dynalite';
import type { RawAwsService } from '../edge/raw-service';

export interface DynamoDbService extends RawAwsService {
  close(): Promise<void>;
}

/**
 * DynamoDB, all of it, by an in-process dynalite. The edge hands it the raw
 * HTTP exchange (no second hop). dynalite listens on an ephemeral loopback
 * port only so that its close() can flush and close LevelDB.
 */
export async function startDynamoDb(options: { dataDir?: string }): Promise<DynamoDbService> {
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
  return {
    targetPrefix: 'DynamoDB_20120810',
    handleRaw(request, response) {
      server.emit('request', request, response);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
