import { type AwsClients, type CliContext, createClients, createContext } from '../../cli/context';
import { resourceNames } from '../../core/config/names';
import { type LocalDynamo, startDynalite } from './dynalite';

/**
 * A payctl context for the finance commands (history, report, reconcile) over dynalite: the stage's
 * table names are dynalite's tables, its document client dynalite's; other clients may be given
 * (a fake Step Functions client for histories).
 */
export async function startFinanceDynalite(stage: string): Promise<LocalDynamo> {
  const payments = resourceNames(stage).tables.payments;
  return startDynalite({ prefix: payments.slice(0, -'-payments'.length) });
}

export function financeContext(
  stage: string,
  dynamo: LocalDynamo,
  clients: Partial<AwsClients> = {},
): CliContext {
  const endpoint = dynamo.endpoint;
  return createContext(
    { stage, endpoint, region: 'us-east-1' },
    {
      clients: {
        ...createClients({ endpoint, region: 'us-east-1' }),
        dynamo: dynamo.client,
        doc: dynamo.doc,
        ...clients,
      },
    },
  );
}
