import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { required } from '../core/config/env';
import { parseImportSources } from '../core/config/imports';
import { ImportCheckpointStore } from '../core/imports/checkpoint-store';
import { ImportRequestMarks } from '../core/imports/request-marks';
import { type ImportOutcome, importObject } from '../core/imports/run-import';
import { objectCreatedRecords } from '../core/imports/s3-event';
import { ImportSupersededError } from '../core/imports/s3-ports';
import { PaymentRunLookup } from '../core/payments/archive';
import { documentClient } from './commons/clients/dynamodb';
import { eventBridge } from './commons/clients/eventbridge';
import { s3 } from './commons/clients/s3';
import { env } from './commons/env';
import { logger } from './commons/logger';

/**
 * ImportCsv: S3 ObjectCreated under incoming/<source>/ -> each valid row a PaymentRequested
 * under the producer's source, the result file under results/, BatchImported on the bus
 * (core/imports/run-import.ts). Throws on anything transient: the event is retried and the
 * import resumes from its checkpoint.
 */
const deps = {
  s3,
  events: eventBridge,
  runs: new PaymentRunLookup(documentClient, required(env, 'paymentsTable')),
  checkpoints: new ImportCheckpointStore(documentClient, required(env, 'paymentsTable')),
  marks: new ImportRequestMarks(documentClient, required(env, 'paymentsTable')),
  eventBusName: required(env, 'eventBusName'),
  sources: parseImportSources(env.importSources),
};

async function importOne(record: ReturnType<typeof objectCreatedRecords>[number]): Promise<ImportOutcome> {
  logger.appendKeys({ objectKey: record.key, sequencer: record.sequencer });
  try {
    const outcome = await importObject(deps, record);
    if (outcome.status === 'refused') logger.error('import file refused', { reason: outcome.reason });
    else if (outcome.status === 'ignored') logger.warn('object is not an upload', { reason: outcome.reason });
    else logger.info('import file done', { ...outcome });
    return outcome;
  } catch (error) {
    if (!(error instanceof ImportSupersededError)) throw error;
    logger.warn('import skipped: the object was replaced by a newer upload', { reason: error.message });
    return { status: 'ignored', reason: error.message };
  }
}

export const handler = middy<unknown, ImportOutcome[]>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event: unknown): Promise<ImportOutcome[]> => {
    const outcomes: ImportOutcome[] = [];
    for (const record of objectCreatedRecords(event)) outcomes.push(await importOne(record));
    return outcomes;
  });
