import type {
  DescribeExecutionInput,
  DescribeExecutionOutput,
  GetExecutionHistoryInput,
  GetExecutionHistoryOutput,
  ListExecutionsInput,
  ListExecutionsOutput,
  ListStateMachinesInput,
  ListStateMachinesOutput,
  RedriveExecutionInput,
  RedriveExecutionOutput,
  StartExecutionInput,
  StartExecutionOutput,
  StopExecutionInput,
  StopExecutionOutput,
} from '@aws-sdk/client-sfn';
import type { JsonService } from './json-client';
import {
  JsonServiceClient,
  jsonCommand,
  type ServiceClientConfig,
  serviceErrorClass,
  withDates,
} from './service-client';

/**
 * AWS Step Functions over the lean transport (JSON 1.0), shaped as
 * @aws-sdk/client-sfn. The service sends timestamps as epoch seconds; as the
 * SDK, each command's date fields come back as Date (startDate, stopDate,
 * redriveDate, a history event's timestamp).
 */

export type { ExecutionListItem, ExecutionStatus, HistoryEvent } from '@aws-sdk/client-sfn';
export type DescribeExecutionCommandOutput = DescribeExecutionOutput;

const STATES: JsonService = {
  signingName: 'states',
  host: (region) => `states.${region}.amazonaws.com`,
  targetPrefix: 'AWSStepFunctions',
  jsonVersion: '1.0',
  envKey: 'SFN',
};

const EXECUTION_DATES = ['startDate', 'stopDate', 'redriveDate'] as const;

const listOf = <T>(answer: Record<string, unknown>, key: string, fields: readonly string[]): T =>
  ({
    ...answer,
    ...(Array.isArray(answer[key]) && {
      [key]: (answer[key] as Record<string, unknown>[]).map((item) => withDates(item, fields)),
    }),
  }) as T;

export class StartExecutionCommand extends jsonCommand<StartExecutionInput, StartExecutionOutput>(
  'StartExecution',
  (answer) => withDates(answer, ['startDate']),
) {}
export class DescribeExecutionCommand extends jsonCommand<DescribeExecutionInput, DescribeExecutionOutput>(
  'DescribeExecution',
  (answer) => withDates(answer, EXECUTION_DATES),
) {}
export class GetExecutionHistoryCommand extends jsonCommand<
  GetExecutionHistoryInput,
  GetExecutionHistoryOutput
>('GetExecutionHistory', (answer) => listOf<GetExecutionHistoryOutput>(answer, 'events', ['timestamp'])) {}
export class ListExecutionsCommand extends jsonCommand<ListExecutionsInput, ListExecutionsOutput>(
  'ListExecutions',
  (answer) => listOf<ListExecutionsOutput>(answer, 'executions', EXECUTION_DATES),
) {}
export class ListStateMachinesCommand extends jsonCommand<ListStateMachinesInput, ListStateMachinesOutput>(
  'ListStateMachines',
  (answer) => listOf<ListStateMachinesOutput>(answer, 'stateMachines', ['creationDate']),
) {}
export class StopExecutionCommand extends jsonCommand<StopExecutionInput, StopExecutionOutput>(
  'StopExecution',
  (answer) => withDates(answer, ['stopDate']),
) {}
export class RedriveExecutionCommand extends jsonCommand<RedriveExecutionInput, RedriveExecutionOutput>(
  'RedriveExecution',
  (answer) => withDates(answer, ['redriveDate']),
) {}

/** The Step Functions error classes callers test with `instanceof` (the SDK's names). */
export const ExecutionAlreadyExists = serviceErrorClass('ExecutionAlreadyExists');
export const ExecutionDoesNotExist = serviceErrorClass('ExecutionDoesNotExist');
export const StateMachineDoesNotExist = serviceErrorClass('StateMachineDoesNotExist');
export const ExecutionNotRedrivable = serviceErrorClass('ExecutionNotRedrivable');

export class SFNClient extends JsonServiceClient {
  constructor(config: ServiceClientConfig = {}) {
    super(STATES, config, {
      ExecutionAlreadyExists,
      ExecutionDoesNotExist,
      StateMachineDoesNotExist,
      ExecutionNotRedrivable,
    });
  }
}
