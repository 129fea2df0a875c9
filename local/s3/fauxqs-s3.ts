import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { type FauxqsSqsStore, loadFauxqs } from '../sqs/fauxqs-internals';

/** The members of fauxqs 2.4's S3 store paysaga uses (see local/sqs/fauxqs-internals.ts for why dist is loaded). */
export interface FauxqsS3Store {
  persistence?: unknown;
  hasBucket(name: string): boolean;
  createBucket(name: string): void;
  headObject(bucket: string, key: string): { contentLength: number; etag: string };
}

export interface FauxqsFileS3Persistence {
  loadS3(store: FauxqsS3Store): void;
  close?(): void;
}

interface FauxqsS3Modules {
  buildApp(options: {
    logger: boolean;
    defaultRegion?: string;
    stores: { sqsStore: FauxqsSqsStore; snsStore: unknown; s3Store: unknown };
  }): FastifyInstance;
  SqsStore: new () => FauxqsSqsStore;
  SnsStore: new () => unknown;
  S3Store: new () => FauxqsS3Store;
  FileS3Persistence: new (baseDir: string) => FauxqsFileS3Persistence;
}

function fileS3PersistenceUrl(): string {
  try {
    return new URL('s3/fileS3Persistence.js', import.meta.resolve('fauxqs')).href;
  } catch {
    const local = fileURLToPath(
      new URL('../../node_modules/fauxqs/dist/s3/fileS3Persistence.js', import.meta.url),
    );
    if (!existsSync(local)) throw new Error('fauxqs is not installed: run npm install');
    return pathToFileURL(local).href;
  }
}

let loaded: Promise<FauxqsS3Modules> | undefined;

/** fauxqs's app and stores (shared loader) plus its file-based S3 persistence. */
export function loadFauxqsS3(): Promise<FauxqsS3Modules> {
  loaded ??= (async () => {
    const [fauxqs, persistence] = await Promise.all([loadFauxqs(), import(fileS3PersistenceUrl())]);
    return {
      buildApp: fauxqs.buildApp,
      SqsStore: fauxqs.SqsStore,
      SnsStore: fauxqs.SnsStore,
      S3Store: fauxqs.S3Store as new () => FauxqsS3Store,
      FileS3Persistence: persistence.FileS3Persistence,
    } as FauxqsS3Modules;
  })();
  return loaded;
}
