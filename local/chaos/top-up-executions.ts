import { type ExecutionListItem, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import type { DemoTarget } from '../demo/target';

/** Another saga's state machine (top-up, refund): the payment saga's ARN with that machine's name. */
const machineArn = (target: DemoTarget, name: string): string =>
  target.stateMachineArn.replace(/:stateMachine:.*$/, `:stateMachine:${name}`);

/** The top-up saga's state machine: the payment saga's ARN with the top-up machine's name. */
export const topUpMachineArn = (target: DemoTarget): string =>
  machineArn(target, target.names.topUpStateMachine);

/** The refund saga's state machine: the payment saga's ARN with the refund machine's name. */
export const refundMachineArn = (target: DemoTarget): string =>
  machineArn(target, target.names.refundStateMachine);

async function listExecutions(
  target: DemoTarget,
  stateMachineArn: string,
  prefix: string,
): Promise<ExecutionListItem[]> {
  const found: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await target.clients.sfn.send(
      new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, nextToken }),
    );
    for (const execution of page.executions ?? []) {
      if (execution.name?.startsWith(prefix)) found.push(execution);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}

/** The run's top-up sagas (execution name = topUpId, which starts with the run's prefix). */
export const listTopUpExecutions = (target: DemoTarget, prefix: string): Promise<ExecutionListItem[]> =>
  listExecutions(target, topUpMachineArn(target), prefix);

/** The run's refund sagas (execution name = `<paymentId>.<refundId>`, which starts with the run's prefix). */
export const listRefundExecutions = (target: DemoTarget, prefix: string): Promise<ExecutionListItem[]> =>
  listExecutions(target, refundMachineArn(target), prefix);
