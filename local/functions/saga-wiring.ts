import {
  ASL_RESOURCE_PLACEHOLDERS,
  FUNCTION_KEYS,
  FUNCTIONS,
  type ResourceNames,
} from '../../core/config/names';
import { SAGA_ALIAS } from '../../core/config/release';
import { renderSagaDefinition } from '../../core/saga/definition';
import { LOCAL_ACCOUNT_ID } from '../edge/request-context';
import type { RuntimeLog } from '../edge/runtime-log';
import type { EventBridgeService } from '../events/eventbridge-service';
import { stateMachineArn as localStateMachineArn } from '../sfn/arns';
import { StepFunctionsService } from '../sfn/service';
import type { ExecutionRecord, StepFunctionsServiceOptions } from '../sfn/types';
import type { SqsService } from '../sqs/sqs-service';
import type { FunctionInvoker } from './invoker';
import { refundStateMachine } from './refund-wiring';
import { functionArn } from './registry';
import { sagaTaskInvoker } from './saga-tasks';
import { topUpStateMachine } from './topup-wiring';

export interface SagaWiring {
  readonly service: StepFunctionsService;
  readonly stateMachineArn: string;
  stop(): Promise<void>;
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

/** The ASL substitutions for this runtime: local function ARNs, the bus, the DLQ URLs. */
export function sagaSubstitutions(
  names: ResourceNames,
  region: string,
  sqs: SqsService,
): Record<string, string> {
  const substitutions: Record<string, string> = {
    [ASL_RESOURCE_PLACEHOLDERS.compensationDlqUrl]: sqs.queueUrl(names.queues.compensationDlq),
    [ASL_RESOURCE_PLACEHOLDERS.notificationDlqUrl]: sqs.queueUrl(names.queues.notificationDlq),
  };
  for (const key of FUNCTION_KEYS) {
    const placeholder = FUNCTIONS[key].aslPlaceholder;
    if (placeholder) substitutions[placeholder] = functionArn(region, LOCAL_ACCOUNT_ID, names.functions[key]);
  }
  return substitutions;
}

/** The detail of the event Step Functions puts on the default bus when an execution's status changes. */
export function statusChangeDetail(execution: ExecutionRecord): Record<string, unknown> {
  return {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    ...(execution.stateMachineVersionArn !== undefined && {
      stateMachineVersionArn: execution.stateMachineVersionArn,
    }),
    ...(execution.stateMachineAliasArn !== undefined && {
      stateMachineAliasArn: execution.stateMachineAliasArn,
    }),
    name: execution.name,
    status: execution.status,
    startDate: execution.startDate,
    stopDate: execution.stopDate ?? null,
    input: execution.input,
    output: execution.output ?? null,
    inputDetails: { included: true },
    outputDetails: { included: true },
    ...(execution.error !== undefined && { error: execution.error }),
    ...(execution.cause !== undefined && { cause: execution.cause }),
    redriveCount: execution.redriveCount,
  };
}

function outcomeOf(output: string | undefined): string | undefined {
  if (!output) return undefined;
  try {
    const parsed = JSON.parse(output) as { outcome?: { entries?: Array<{ DetailType?: string }> } };
    return parsed.outcome?.entries?.[0]?.DetailType;
  } catch {
    return undefined;
  }
}

/**
 * Mounts the saga: renders the ASL with local ARNs, runs Lambda tasks
 * in-process and integrations against the local SQS/EventBridge, puts
 * `Step Functions Execution Status Change` events on the default bus, and logs
 * one line per saga outcome.
 */
export async function startSaga(deps: {
  names: ResourceNames;
  region: string;
  functions: FunctionInvoker;
  sqs: SqsService;
  events: EventBridgeService;
  log: RuntimeLog;
  dataDir?: string;
  retryIntervalScale?: number;
}): Promise<SagaWiring> {
  const { names, region, log, events } = deps;
  const stateMachineArn = localStateMachineArn(region, LOCAL_ACCOUNT_ID, names.stateMachine);
  const definition = renderSagaDefinition(sagaSubstitutions(names, region, deps.sqs));
  const options: StepFunctionsServiceOptions = {
    ...(deps.dataDir && { dataDir: deps.dataDir }),
    region,
    accountId: LOCAL_ACCOUNT_ID,
    // Each saga is released as on a dev deploy: version 1 (then one per changed definition) under its alias.
    stateMachines: [
      { name: names.stateMachine, definition, alias: SAGA_ALIAS },
      topUpStateMachine(names, region, deps.sqs),
      refundStateMachine(names, region, deps.sqs),
    ],
    ...(deps.retryIntervalScale !== undefined && { retryIntervalScale: deps.retryIntervalScale }),
    invokeTask: sagaTaskInvoker({
      names,
      functions: deps.functions,
      sqs: deps.sqs,
      events,
      stateMachineArn: (executionArn) =>
        executionArn.replace(':execution:', ':stateMachine:').split(':').slice(0, 7).join(':'),
    }),
    onStatusChange: async (execution) => {
      if (TERMINAL.has(execution.status)) {
        const outcome = outcomeOf(execution.output);
        log.info('saga outcome', {
          paymentId: execution.name,
          status: execution.status,
          ...(outcome && { outcome }),
          ...(execution.error !== undefined && { error: execution.error }),
          executionArn: execution.executionArn,
          durationMs: (execution.stopDate ?? Date.now()) - (execution.redriveDate ?? execution.startDate),
          ...(execution.redriveCount > 0 && { redriveCount: execution.redriveCount }),
        });
      }
      try {
        await events.putServiceEvent(
          'aws.states',
          'Step Functions Execution Status Change',
          statusChangeDetail(execution),
          [execution.executionArn],
        );
      } catch (error) {
        log.error('status change event not published', error, { executionArn: execution.executionArn });
      }
    },
  };
  const service = new StepFunctionsService(options);
  const report = await service.start();
  if (report.resumed > 0 || report.failedOnRestart > 0 || report.repairedFiles > 0) {
    log.info('executions recovered', { ...report });
  }
  return { service, stateMachineArn, stop: () => service.stop() };
}
