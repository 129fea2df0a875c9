import { DescribeExecutionCommand, type SFNClient } from '../aws/sfn';
import type { ExecutionFacts, SagaExecutions } from './skip-rule';

const doesNotExist = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ExecutionDoesNotExist';

/**
 * The payment sagas' executions as Step Functions describes them; `executionArnOf`
 * is the one formula that names a payment's execution after its paymentId.
 */
export function stepFunctionsExecutions(
  sfn: Pick<SFNClient, 'send'>,
  executionArnOf: (paymentId: string) => string,
): SagaExecutions {
  return {
    async describe(paymentId: string): Promise<ExecutionFacts | undefined> {
      try {
        const described = await sfn.send(
          new DescribeExecutionCommand({ executionArn: executionArnOf(paymentId) }),
        );
        return {
          status: String(described.status),
          ...(described.stopDate && { stopDate: described.stopDate }),
          ...(described.redriveStatus && { redriveStatus: described.redriveStatus }),
        };
      } catch (error) {
        if (doesNotExist(error)) return undefined;
        throw error;
      }
    },
  };
}
