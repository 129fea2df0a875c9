import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { required } from '../core/config/env';
import { executionArnFor } from '../core/config/executions';
import { Ledger, LedgerReader } from '../core/ledger';
import { stepFunctionsExecutions } from '../core/sweeper/step-functions';
import { SweepIncompleteError, sweepExpiredHolds } from '../core/sweeper/sweep';
import { documentClient } from './commons/clients/dynamodb';
import { stepFunctions } from './commons/clients/sfn';
import { env } from './commons/env';
import { logger } from './commons/logger';
import { powertoolsMetrics } from './commons/metrics';

/**
 * The expired-hold sweeper, on EventBridge Scheduler's schedule: voids holds
 * past their expiry (journal `expire`) unless their saga may still use them.
 * Fails (the function's error alarm) when a wallet could not be swept.
 */
export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const ledgerTable = required(env, 'ledgerTable');
    const stateMachineArn = required(env, 'stateMachineArn');
    const report = await sweepExpiredHolds({
      ledger: new Ledger({ doc: documentClient, tableName: ledgerTable }),
      reader: new LedgerReader(documentClient, ledgerTable),
      executions: stepFunctionsExecutions(stepFunctions, (paymentId) =>
        executionArnFor(stateMachineArn, paymentId),
      ),
      now: () => new Date(),
      metrics: powertoolsMetrics,
    });
    const summary = { wallets: report.wallets, expired: report.expired.length, kept: report.kept.length };
    logger.info('expired holds swept', { ...summary, keptHolds: report.kept });
    if (report.failures.length > 0) {
      logger.error('wallets not swept; the next run retries them', { failures: report.failures });
      throw new SweepIncompleteError(`${report.failures.length} wallets not swept`);
    }
    return summary;
  });
