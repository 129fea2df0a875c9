import { randomUUID } from 'node:crypto';
import { DynamoDocumentClient } from '../../core/aws/dynamodb';
import { S3Client } from '../../core/aws/s3';
import { bucketNames } from '../../core/config/history';
import { HistoryArchive } from '../../core/payments/archive';
import { startEdge } from '../../local/edge/edge-server';
import type { Runtime } from '../../local/runtime';
import { S3Service } from '../../local/s3/s3-service';
import { clientConfig } from './runtime';

/**
 * The local runtime's S3 (fauxqs behind the edge) in-process for integration
 * tests: in memory on 127.0.0.1 with a free port, one bucket per call.
 */
export interface LocalS3 {
  readonly endpoint: string;
  readonly client: S3Client;
  readonly service: S3Service;
  /** A bucket of its own, unique per call. */
  readonly bucket: string;
  stop(): Promise<void>;
}

export async function startLocalS3(options: { readonly prefix?: string } = {}): Promise<LocalS3> {
  const service = await S3Service.start();
  const edge = await startEdge({ port: 0, services: [] });
  edge.addRestService(service);
  const bucket = `${options.prefix ?? 'test'}-${randomUUID().slice(0, 8)}`;
  service.ensureBucket(bucket);
  const client = new S3Client({
    endpoint: edge.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return {
    endpoint: edge.endpoint,
    client,
    service,
    bucket,
    async stop() {
      client.destroy();
      await edge.close();
      await service.close();
    },
  };
}

/** The saga history archive of a runtime (its payments table and history bucket), through the edge. */
export function runtimeHistoryArchive(
  runtime: Pick<Runtime, 'endpoint' | 'region' | 'names'>,
): HistoryArchive {
  const config = clientConfig(runtime);
  return new HistoryArchive(new DynamoDocumentClient(config), runtime.names.tables.payments, {
    s3: new S3Client(config),
    bucket: bucketNames(runtime.names.stage).history,
  });
}
