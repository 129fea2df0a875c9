import { type ExecutionListItem, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import type { DemoTarget } from '../demo/target';

/** The top-up saga's state machine: the payment saga's ARN with the top-up machine's name. */
export const topUpMachineArn = (target: DemoTarget): string =>
  target.stateMachineArn.replace(/:stateMachine:.*$/, `:stateMachine:${target.names.topUpStateMachine}`);

/** The run's top-up sagas (execution name = topUpId, which starts with the run's prefix). */
export async function listTopUpExecutions(target: DemoTarget, prefix: string): Promise<ExecutionListItem[]> {
  const found: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await target.clients.sfn.send(
      new ListExecutionsCommand({ stateMachineArn: topUpMachineArn(target), maxResults: 1000, nextToken }),
    );
    for (const execution of page.executions ?? []) {
      if (execution.name?.startsWith(prefix)) found.push(execution);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}
