import type { ResourceNames } from '../../core/config/names';
import { AwsServiceError } from '../edge/aws-json-service';
import type { EventBridgeService } from '../events/eventbridge-service';
import { TaskFailedError, type TaskInvocation } from '../sfn/types';
import { shortErrorCode } from '../sqs/sqs-error';
import type { SqsService } from '../sqs/sqs-service';
import type { FunctionInvoker } from './invoker';
import { functionKeyOf } from './registry';

const SQS_SEND_MESSAGE = 'arn:aws:states:::sqs:sendMessage';
const EVENTS_PUT_EVENTS = 'arn:aws:states:::events:putEvents';

/** Step Functions names an integration's error `<Service>.<Exception>` (e.g. SQS.QueueDoesNotExistException). */
function integrationError(service: string, error: unknown): TaskFailedError {
  if (error instanceof AwsServiceError) {
    const code = shortErrorCode(error.type);
    return new TaskFailedError(
      `${service}.${code.endsWith('Exception') ? code : `${code}Exception`}`,
      error.message,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TaskFailedError(`${service}.SdkClientException`, message);
}

/** Lambda reports a handler error to Step Functions as errorType = the error's name, cause = this JSON. */
function lambdaError(error: unknown): TaskFailedError {
  const err = error instanceof Error ? error : new Error(String(error));
  const cause = JSON.stringify({
    errorType: err.name,
    errorMessage: err.message,
    trace: (err.stack ?? '').split('\n').slice(0, 10),
  });
  return new TaskFailedError(err.name, cause);
}

const asJsonText = (value: unknown): unknown => (typeof value === 'string' ? value : JSON.stringify(value));

/**
 * The Step Functions task invoker of the local runtime: a Lambda ARN runs the
 * in-process handler of that function; the optimized integrations
 * `sqs:sendMessage` and `events:putEvents` call the local SQS and EventBridge
 * with the same parameters, results and error names as on AWS.
 */
export function sagaTaskInvoker(deps: {
  names: ResourceNames;
  functions: FunctionInvoker;
  sqs: SqsService;
  events: EventBridgeService;
  stateMachineArn: (executionArn: string) => string;
}): (invocation: TaskInvocation) => Promise<unknown> {
  return async (invocation) => {
    const { resource, input } = invocation;
    if (resource === SQS_SEND_MESSAGE) {
      const params = { ...(input as Record<string, unknown>) };
      params.MessageBody = asJsonText(params.MessageBody);
      try {
        return await deps.sqs.call('SendMessage', params);
      } catch (error) {
        throw integrationError('SQS', error);
      }
    }
    if (resource === EVENTS_PUT_EVENTS) {
      const { Entries } = input as { Entries?: Array<Record<string, unknown>> };
      const entries = (Entries ?? []).map((entry) => ({
        ...entry,
        Detail: asJsonText(entry.Detail),
        // As on AWS, the optimized integration appends the execution and state machine ARNs.
        Resources: [
          ...((entry.Resources as string[] | undefined) ?? []),
          invocation.executionArn,
          deps.stateMachineArn(invocation.executionArn),
        ],
      }));
      let result: Awaited<ReturnType<EventBridgeService['putEvents']>>;
      try {
        result = await deps.events.putEvents(entries);
      } catch (error) {
        throw integrationError('EventBridge', error);
      }
      if (result.FailedEntryCount > 0)
        throw new TaskFailedError('EventBridge.FailedEntry', JSON.stringify(result));
      return result;
    }
    const key = functionKeyOf(deps.names, resource);
    if (!key) {
      throw new TaskFailedError(
        'States.TaskFailed',
        `the local runtime has no handler for Resource ${resource}; Lambda ARNs of paysaga functions and sqs:sendMessage / events:putEvents are served`,
      );
    }
    try {
      return await deps.functions.invoke(key, input);
    } catch (error) {
      throw lambdaError(error);
    }
  };
}
