import { SecretsProvider } from '../../core/aws/secrets-manager';
import { DescribeExecutionCommand } from '../../core/aws/sfn';
import { executionArnFor } from '../../core/config/executions';
import { bucketNames } from '../../core/config/history';
import { gatewayFromSecret } from '../../core/gateway/credentials';
import type { PaymentGateway } from '../../core/gateway/port';
import { LedgerReader } from '../../core/ledger/reader';
import { HistoryArchive } from '../../core/payments/archive';
import type { PaymentRecord } from '../../core/payments/records';
import { PaymentsRepository } from '../../core/payments/repository';
import type { OpsContext } from '../ops-context';

/**
 * What the finance functions need from a context (a payctl CliContext is one;
 * the console API's Lambda builds its own): the lean AWS clients, resource names, the saga ARN.
 */
export type FinanceDeps = Pick<OpsContext, 'names' | 'clients' | 'stateMachineArn'>;

export interface FinanceStores {
  readonly payments: PaymentsRepository;
  readonly ledger: LedgerReader;
  readonly archive: HistoryArchive;
}

export function financeStores(deps: FinanceDeps): FinanceStores {
  const { doc } = deps.clients;
  return {
    payments: new PaymentsRepository(doc, deps.names.tables.payments),
    ledger: new LedgerReader(doc, deps.names.tables.ledger),
    archive: new HistoryArchive(doc, deps.names.tables.payments, {
      s3: deps.clients.s3,
      bucket: bucketNames(deps.names.stage).history,
    }),
  };
}

/** The gateway adapter with the stage's key from Secrets Manager, through the CLI's own client. */
export function financeGateway(deps: FinanceDeps): Promise<PaymentGateway> {
  return gatewayFromSecret({
    secretId: deps.names.gatewaySecret,
    secretsProvider: new SecretsProvider({ awsSdkV3Client: deps.clients.secrets }),
  });
}

/** The execution ARN of a payment's saga: recorded on the payment, else derived (the name is the paymentId). */
export async function executionArnOf(
  deps: FinanceDeps,
  paymentId: string,
  payment: PaymentRecord | undefined,
): Promise<string> {
  if (payment?.executionArn) return payment.executionArn;
  const machine = await deps.stateMachineArn();
  return executionArnFor(machine, paymentId);
}

/** The saga's Step Functions status, or undefined when the execution is unknown (or past retention). */
export async function executionStatusOf(
  deps: FinanceDeps,
  executionArn: string,
): Promise<string | undefined> {
  try {
    const execution = await deps.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
    return execution.status;
  } catch (error) {
    if (error instanceof Error && error.name === 'ExecutionDoesNotExist') return undefined;
    throw error;
  }
}
