import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { required } from '../core/config/env';
import { type ArchiveOutcome, archiveExecution } from '../core/history/archiver';
import { parseStatusChangeEvent } from '../core/history/status-event';
import { LedgerReader } from '../core/ledger/reader';
import { HistoryArchive } from '../core/payments/archive';
import { PaymentRefundStore } from '../core/payments/refund-store';
import { PaymentsRepository } from '../core/payments/repository';
import { documentClient } from './commons/clients/dynamodb';
import { s3 } from './commons/clients/s3';
import { stepFunctions } from './commons/clients/sfn';
import { env } from './commons/env';
import { logger } from './commons/logger';

/**
 * ArchiveHistory: on the saga's terminal "Step Functions Execution Status
 * Change" event, reads the execution history, the payment and its journal
 * entries, and writes the compact timeline to the history bucket once (S3,
 * Intelligent-Tiering, Object Lock) with a pointer in the payments table, so
 * finance can still read it after Step Functions' 90-day retention and the
 * payment record's TTL. Idempotent: a redelivered event finds the object written.
 */
const deps = {
  sfn: stepFunctions,
  payments: new PaymentsRepository(documentClient, required(env, 'paymentsTable')),
  ledger: new LedgerReader(documentClient, required(env, 'ledgerTable')),
  // The refunds that ended before the archive is written go into it (core/history/archiver.ts).
  refunds: new PaymentRefundStore(documentClient, required(env, 'paymentsTable')),
  archive: new HistoryArchive(documentClient, required(env, 'paymentsTable'), {
    s3,
    bucket: required(env, 'historyBucket'),
  }),
  ...(env.paymentRecordTtlDays !== undefined && { paymentRecordTtlDays: env.paymentRecordTtlDays }),
};

export const handler = middy<unknown, ArchiveOutcome>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event: unknown): Promise<ArchiveOutcome> => {
    const statusChange = parseStatusChangeEvent(event);
    logger.appendKeys({
      paymentId: statusChange.detail.name,
      executionArn: statusChange.detail.executionArn,
    });
    const outcome = await archiveExecution(deps, statusChange);
    if (outcome.archived) logger.info('saga history archived', { archiveId: outcome.archiveId });
    else if (outcome.reason === 'kept_earlier' || outcome.reason === 'execution_gone')
      logger.warn('saga history not archived', { reason: outcome.reason, detail: outcome.detail });
    else logger.info('saga history not archived', { reason: outcome.reason });
    return outcome;
  });
