import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ASL_FILE,
  FUNCTION_KEYS,
  FUNCTIONS,
  type FunctionKey,
  resourceNames,
  SAGA_STATES,
} from '../../core/config/names';
import { InvalidPaymentError, LedgerInvariantError } from '../../core/errors';
import { readSagaDefinitionText } from '../../core/saga/definition';
import { sagaDefinitionText } from '../../stacks/saga-definition';
import type { CfnApp } from './cfn';
import { synthesizeCfnApp, TEST_ACCOUNT, TEST_REGION } from './synth-helper';

type Json = Parameters<StateMachine['run']>[0];
type Handler = (input: Json) => Json;
/** The fields of aws-local-stepfunctions' event log this test reads (its type is not exported). */
interface EventLog {
  readonly type: string;
  readonly state?: { readonly name: string };
  readonly Error?: string;
  readonly Cause?: unknown;
}
interface TaskState {
  readonly Type: string;
  readonly Resource?: string;
}

const STAGE = 'prod';
const n = resourceNames(STAGE);
const SQS_SEND = 'arn:aws:states:::sqs:sendMessage';
const PUT_EVENTS = 'arn:aws:states:::events:putEvents';
const functionArn = (key: FunctionKey) =>
  `arn:aws:lambda:${TEST_REGION}:${TEST_ACCOUNT}:function:${n.functions[key]}`;
const queueUrl = (name: string) => `https://sqs.${TEST_REGION}.amazonaws.com/${TEST_ACCOUNT}/${name}`;
const samplePayment = () =>
  (
    JSON.parse(
      readFileSync(new URL('../../events/samples/PaymentRequested.v1.json', import.meta.url), 'utf8'),
    ) as {
      detail: Record<string, unknown>;
    }
  ).detail;

/** The definition exactly as Step Functions gets it: the template's string with its substitutions applied. */
function deployedDefinition(cfn: CfnApp): string {
  const [entry] = cfn.resourcesOfType('AWS::StepFunctions::StateMachine');
  if (!entry) throw new Error('no state machine in the app');
  const [stack, , sm] = entry;
  const substitutions = sm.Properties?.DefinitionSubstitutions as Record<string, unknown>;
  return String(sm.Properties?.DefinitionString).replace(/\$\{([A-Za-z0-9]+)\}/g, (match, name: string) =>
    substitutions[name] === undefined ? match : cfn.render(stack, substitutions[name]),
  );
}

interface Run {
  readonly visited: string[];
  readonly events: EventLog[];
  readonly calls: { state: string; resource: string; input: Record<string, unknown> }[];
  readonly output?: Json;
  readonly failure?: { Error: string; Cause: unknown };
}

/**
 * Runs the deployed definition in aws-local-stepfunctions. Each Task is
 * dispatched by its *deployed* Resource ARN, as Step Functions would: a Task
 * whose ARN is not the function names.ts says has no handler and fails the run.
 */
async function runSaga(
  definition: StateMachineDefinition,
  behaviour: Partial<Record<string, Handler>>,
): Promise<Run> {
  const paymentId = `pay_infra_${Math.random().toString(36).slice(2, 10)}`;
  const calls: Run['calls'] = [];
  const byResource: Record<string, Handler> = {
    [functionArn('reserve')]: () => ({ holdId: `hold_${paymentId}` }),
    [functionArn('charge')]: () => ({ chargeId: `ch_${paymentId}` }),
    [functionArn('settle')]: () => ({ settled: true }),
    [functionArn('notify')]: () => ({ queued: true }),
    [functionArn('refundCharge')]: () => ({ refundId: `re_${paymentId}` }),
    [functionArn('releaseFunds')]: () => ({ released: true }),
    [functionArn('recordOutcome')]: (input) => {
      const outcome = (input as { outcome: string }).outcome;
      return { entries: [{ DetailType: outcome }], error: 'PaymentFailed', cause: `outcome ${outcome}` };
    },
    [SQS_SEND]: () => ({ MessageId: 'm-1' }),
    [PUT_EVENTS]: () => ({ FailedEntryCount: 0 }),
  };
  const states = definition.States as Record<string, TaskState>;
  const taskResourceLocalHandlers = Object.fromEntries(
    Object.entries(states)
      .filter(([, state]) => state.Type === 'Task')
      .map(([name, state]) => [
        name,
        (input: Json) => {
          const resource = state.Resource ?? '';
          calls.push({ state: name, resource, input: input as Record<string, unknown> });
          const handler = behaviour[name] ?? byResource[resource];
          if (!handler) throw new Error(`no function deployed at ${resource} (state ${name})`);
          return handler(input);
        },
      ]),
  );
  const machine = new StateMachine(definition, { validationOptions: { checkArn: false } });
  const execution = machine.run(
    { payment: { ...samplePayment(), paymentId } },
    {
      overrides: { taskResourceLocalHandlers },
      context: {
        Execution: {
          Id: `arn:aws:states:${TEST_REGION}:${TEST_ACCOUNT}:execution:${n.stateMachine}:${paymentId}`,
          Name: paymentId,
        },
      },
    },
  );
  const events: EventLog[] = [];
  const collected = (async () => {
    for await (const event of execution.eventLogs) events.push(event as EventLog);
  })();
  let output: Json | undefined;
  try {
    output = await execution.result;
  } catch {
    // A Fail state rejects the run; the event log says which.
  }
  await collected;
  const failed = events.find((e) => e.type === 'ExecutionFailed') as
    | { Error: string; Cause: unknown }
    | undefined;
  return {
    visited: events.flatMap((e) => (e.type === 'StateEntered' && e.state ? [e.state.name] : [])),
    events,
    calls,
    ...(output !== undefined && { output }),
    ...(failed && { failure: { Error: failed.Error ?? '', Cause: failed.Cause } }),
  };
}

describe('Saga definition from the synthesized template', () => {
  let text: string;
  let definition: StateMachineDefinition;

  beforeAll(async () => {
    const cfn = await synthesizeCfnApp(STAGE);
    text = deployedDefinition(cfn);
    definition = JSON.parse(text) as StateMachineDefinition;
  });

  it(`deploys ${ASL_FILE} itself, as the saga tests read it`, () => {
    // Assess
    expect(sagaDefinitionText()).toBe(readSagaDefinitionText());
  });

  it('has every placeholder substituted and is valid ASL', () => {
    // Act
    const { isValid, errorsText } = aslValidator(definition as unknown as Record<string, unknown>);
    // Assess
    expect(text).not.toMatch(/\$\{/);
    expect({ isValid, errors: errorsText() }).toEqual({ isValid: true, errors: '' });
  });

  it('points every Lambda Task at the function names.ts assigns to its placeholder', () => {
    // Prepare
    const template = JSON.parse(readSagaDefinitionText()) as { States: Record<string, TaskState> };
    const states = definition.States as Record<string, TaskState>;
    // Act
    const lambdaTasks = Object.entries(template.States).flatMap(([name, state]) => {
      const key = FUNCTION_KEYS.find((k) => state.Resource === `\${${FUNCTIONS[k].aslPlaceholder}}`);
      return key ? [[name, key] as const] : [];
    });
    // Assess
    expect(new Set(lambdaTasks.map(([, key]) => key)).size).toBe(
      FUNCTION_KEYS.filter((key) => FUNCTIONS[key].aslPlaceholder !== undefined).length,
    );
    for (const [name, key] of lambdaTasks)
      expect({ name, resource: states[name]?.Resource }).toEqual({ name, resource: functionArn(key) });
  });

  it('runs the happy path Reserve -> Charge -> Settle -> Notify -> Succeeded', async () => {
    // Act
    const run = await runSaga(definition, {});
    // Assess
    expect(run.failure).toBeUndefined();
    expect(run.visited).toEqual([
      SAGA_STATES.reserve,
      SAGA_STATES.charge,
      SAGA_STATES.settle,
      SAGA_STATES.notify,
      'RecordSuccess',
      'PublishSuccess',
      SAGA_STATES.succeeded,
    ]);
    expect(run.calls.find((c) => c.resource === PUT_EVENTS)?.input).toEqual({
      Entries: [{ DetailType: 'succeeded' }],
    });
  });

  it('compensates a settle that fails for good: refund, then release, then Failed', async () => {
    // Act
    const run = await runSaga(definition, {
      [SAGA_STATES.settle]: () => {
        throw new LedgerInvariantError('capture exceeds the hold');
      },
    });
    // Assess
    expect(run.visited).toEqual([
      SAGA_STATES.reserve,
      SAGA_STATES.charge,
      SAGA_STATES.settle,
      SAGA_STATES.refundCharge,
      SAGA_STATES.releaseFunds,
      'RecordFailure',
      'PublishFailure',
      SAGA_STATES.failed,
    ]);
    const refund = run.calls.find((c) => c.state === SAGA_STATES.refundCharge);
    expect(refund?.resource).toBe(functionArn('refundCharge'));
    expect(refund?.input.error).toMatchObject({ Error: 'LedgerInvariantError' });
    // Failed is a Succeed-type state: a business failure does not fail the execution.
    expect(run.failure).toBeUndefined();
  });

  it('dead-letters an undeliverable notification to the notification DLQ the stack created', async () => {
    // Act
    const run = await runSaga(definition, {
      [SAGA_STATES.notify]: () => {
        throw new InvalidPaymentError('merchant webhook refused the payload');
      },
    });
    // Assess
    expect(run.visited).toContain('DeadLetterNotification');
    expect(run.visited.at(-1)).toBe(SAGA_STATES.succeeded);
    const sent = run.calls.find((c) => c.state === 'DeadLetterNotification');
    expect(sent?.input.QueueUrl).toBe(queueUrl(n.queues.notificationDlq));
  });
});
