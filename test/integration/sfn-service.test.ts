import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../local/edge/aws-json-service';
import type { HistoryEvent } from '../../local/sfn/history-event';
import { StepFunctionsService } from '../../local/sfn/service';
import type { StepFunctionsServiceOptions, TaskInvocation } from '../../local/sfn/types';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const CONTEXT = { region: REGION, accountId: ACCOUNT };
const MACHINE = 'sfn-test';
const MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${MACHINE}`;
const lambdaArn = (name: string): string => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;

const TRANSIENT_RETRY = [
  { ErrorEquals: ['TransientError'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 },
];

/** A small saga: Reserve -> Charge -> Publish -> Done; a final error compensates and ends in Fail with ErrorPath. */
const TEST_ASL = {
  StartAt: 'Reserve',
  TimeoutSeconds: 300,
  States: {
    Reserve: {
      Type: 'Task',
      Resource: lambdaArn('reserve'),
      Parameters: { 'payment.$': '$.payment', 'executionArn.$': '$$.Execution.Id' },
      ResultPath: '$.reserve',
      TimeoutSeconds: 10,
      Retry: TRANSIENT_RETRY,
      Catch: [{ ErrorEquals: ['FinalError'], ResultPath: '$.error', Next: 'Record' }],
      Next: 'Charge',
    },
    Charge: {
      Type: 'Task',
      Resource: lambdaArn('charge'),
      ResultPath: '$.charge',
      TimeoutSeconds: 1,
      Retry: TRANSIENT_RETRY,
      Catch: [{ ErrorEquals: ['FinalError'], ResultPath: '$.error', Next: 'Compensate' }],
      Next: 'Publish',
    },
    Publish: {
      Type: 'Task',
      Resource: 'arn:aws:states:::events:putEvents',
      Parameters: { Entries: [{ 'Detail.$': 'States.JsonToString($.charge)', DetailType: 'Charged' }] },
      ResultPath: null,
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
    Compensate: { Type: 'Task', Resource: lambdaArn('compensate'), ResultPath: '$.release', Next: 'Record' },
    Record: {
      Type: 'Pass',
      Parameters: { 'error.$': '$.error.Error', cause: 'compensated after a final error' },
      ResultPath: '$.outcome',
      Next: 'Failed',
    },
    Failed: { Type: 'Fail', ErrorPath: '$.outcome.error', CausePath: '$.outcome.cause' },
  },
};

type Behaviour = (invocation: TaskInvocation) => unknown;

function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

function makeService(
  behaviours: Record<string, Behaviour>,
  options: Partial<StepFunctionsServiceOptions> = {},
): { service: StepFunctionsService; calls: TaskInvocation[] } {
  const calls: TaskInvocation[] = [];
  const service = new StepFunctionsService({
    region: REGION,
    accountId: ACCOUNT,
    stateMachines: [{ name: MACHINE, definition: TEST_ASL }],
    retryIntervalScale: 0,
    invokeTask: async (invocation) => {
      calls.push(invocation);
      const behaviour = behaviours[invocation.stateName];
      return behaviour ? behaviour(invocation) : { ok: true };
    },
    ...options,
  });
  return { service, calls };
}

async function call<T = Record<string, unknown>>(
  service: StepFunctionsService,
  operation: string,
  input: unknown,
): Promise<T> {
  return (await service.handle(operation, input, CONTEXT)) as T;
}

async function startExecution(
  service: StepFunctionsService,
  name = `pay-${randomUUID()}`,
  input: unknown = { payment: { paymentId: name, amount: 1250 } },
): Promise<string> {
  const started = await call<{ executionArn: string }>(service, 'StartExecution', {
    stateMachineArn: MACHINE_ARN,
    name,
    input: JSON.stringify(input),
  });
  return started.executionArn;
}

async function historyOf(service: StepFunctionsService, executionArn: string): Promise<HistoryEvent[]> {
  return (
    await call<{ events: HistoryEvent[] }>(service, 'GetExecutionHistory', { executionArn, maxResults: 1000 })
  ).events;
}

const typesOf = (events: HistoryEvent[]): string[] => events.map((event) => event.type);

async function expectAwsError(promise: Promise<unknown>, type: string): Promise<AwsServiceError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AwsServiceError);
  expect((error as AwsServiceError).type).toBe(type);
  return error as AwsServiceError;
}

/** Resolves when `predicate` holds, polling the event loop (no fixed sleeps). */
async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('StepFunctionsService', () => {
  describe('StartExecution', () => {
    it('runs to SUCCEEDED and records an AWS-shaped history', async () => {
      // Prepare
      const { service, calls } = makeService({
        Reserve: () => ({ holdId: 'h-1' }),
        Charge: () => ({ chargeId: 'ch-1' }),
      });
      await service.start();
      const before = Date.now() / 1000;

      // Act
      const arn = await startExecution(service, 'pay-happy-1');
      const record = await service.whenSettled(arn);
      const events = await historyOf(service, arn);

      // Assess
      expect(record.status).toBe('SUCCEEDED');
      expect(JSON.parse(record.output ?? 'null')).toMatchObject({
        reserve: { holdId: 'h-1' },
        charge: { chargeId: 'ch-1' },
      });
      expect(typesOf(events)).toEqual([
        'ExecutionStarted',
        'TaskStateEntered',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionSucceeded',
        'TaskStateExited',
        'TaskStateEntered',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionSucceeded',
        'TaskStateExited',
        'TaskStateEntered',
        'TaskScheduled',
        'TaskStarted',
        'TaskSucceeded',
        'TaskStateExited',
        'SucceedStateEntered',
        'SucceedStateExited',
        'ExecutionSucceeded',
      ]);
      events.forEach((event, index) => {
        expect(event.id).toBe(index + 1);
        // AWS: the first state entered points back to 0, every other event to the one before.
        expect(event.previousEventId).toBe(index === 1 ? 0 : index);
        expect(event.timestamp).toBeGreaterThanOrEqual(Math.floor(before));
        expect(event.timestamp).toBeLessThan(Date.now() / 1000 + 1);
      });
      expect(events[0]).toMatchObject({
        executionStartedEventDetails: {
          input: JSON.stringify({ payment: { paymentId: 'pay-happy-1', amount: 1250 } }),
          inputDetails: { truncated: false },
          roleArn: expect.stringMatching(/^arn:aws:iam::000000000000:role\//),
        },
      });
      expect(events[1]).toMatchObject({ stateEnteredEventDetails: { name: 'Reserve' } });
      expect(events[2]).toMatchObject({
        lambdaFunctionScheduledEventDetails: {
          resource: lambdaArn('reserve'),
          input: JSON.stringify({ payment: { paymentId: 'pay-happy-1', amount: 1250 }, executionArn: arn }),
          timeoutInSeconds: 10,
        },
      });
      expect(events[4]).toMatchObject({
        lambdaFunctionSucceededEventDetails: { output: '{"holdId":"h-1"}' },
      });
      expect(events[12]).toMatchObject({
        taskScheduledEventDetails: {
          resourceType: 'events',
          resource: 'putEvents',
          region: REGION,
          parameters: JSON.stringify({ Entries: [{ Detail: '{"chargeId":"ch-1"}', DetailType: 'Charged' }] }),
        },
      });
      expect(events[13]).toEqual(
        expect.objectContaining({
          taskStartedEventDetails: { resourceType: 'events', resource: 'putEvents' },
        }),
      );
      expect(events.at(-1)).toMatchObject({ executionSucceededEventDetails: { output: record.output } });
      expect(calls.map((invocation) => [invocation.stateName, invocation.attempt])).toEqual([
        ['Reserve', 1],
        ['Charge', 1],
        ['Publish', 1],
      ]);
      expect(calls[0]).toMatchObject({ executionArn: arn, executionName: 'pay-happy-1', timeoutSeconds: 10 });
      await service.stop();
    });

    it('answers the running execution for the same name and input, ExecutionAlreadyExists otherwise', async () => {
      // Prepare
      let release: () => void = () => undefined;
      const blocked = new Promise<void>((resolve) => {
        release = resolve;
      });
      const { service } = makeService({ Reserve: () => blocked.then(() => ({ holdId: 'h' })) });
      await service.start();
      const name = `pay-dedupe-${randomUUID()}`;
      const input = { payment: { paymentId: name, amount: 10 } };
      const first = await call<{ executionArn: string; startDate: number }>(service, 'StartExecution', {
        stateMachineArn: MACHINE_ARN,
        name,
        input: JSON.stringify(input),
      });

      // Act
      const again = await call<{ executionArn: string; startDate: number }>(service, 'StartExecution', {
        stateMachineArn: MACHINE_ARN,
        name,
        input: JSON.stringify(input, null, 2),
      });
      const different = service.handle(
        'StartExecution',
        {
          stateMachineArn: MACHINE_ARN,
          name,
          input: JSON.stringify({ payment: { paymentId: name, amount: 11 } }),
        },
        CONTEXT,
      );

      // Assess
      expect(again).toEqual(first);
      await expectAwsError(different, 'ExecutionAlreadyExists');
      release();
      expect((await service.whenSettled(first.executionArn)).status).toBe('SUCCEEDED');
      await expectAwsError(
        service.handle(
          'StartExecution',
          { stateMachineArn: MACHINE_ARN, name, input: JSON.stringify(input) },
          CONTEXT,
        ),
        'ExecutionAlreadyExists',
      );
      await service.stop();
    });

    it('rejects bad names, unknown machines, bad ARNs and bad input with AWS error codes', async () => {
      // Prepare
      const { service } = makeService({});
      await service.start();

      // Act + Assess
      await expectAwsError(
        call(service, 'StartExecution', { stateMachineArn: MACHINE_ARN, name: 'has space' }),
        'InvalidName',
      );
      await expectAwsError(
        call(service, 'StartExecution', { stateMachineArn: MACHINE_ARN, name: 'x'.repeat(81) }),
        'InvalidName',
      );
      await expectAwsError(
        call(service, 'StartExecution', { stateMachineArn: MACHINE_ARN, name: 'tab\u0001name' }),
        'InvalidName',
      );
      await expectAwsError(
        call(service, 'StartExecution', { stateMachineArn: `${MACHINE_ARN}-missing`, name: 'a' }),
        'StateMachineDoesNotExist',
      );
      await expectAwsError(call(service, 'StartExecution', { stateMachineArn: 'not-an-arn' }), 'InvalidArn');
      await expectAwsError(
        call(service, 'StartExecution', { stateMachineArn: MACHINE_ARN, input: '{not json' }),
        'InvalidExecutionInput',
      );
      const missing = await expectAwsError(call(service, 'StartExecution', {}), 'ValidationException');
      expect(missing.message).toContain("at 'stateMachineArn'");
      await expectAwsError(call(service, 'TagResource', {}), 'UnknownOperationException');
      // An X-Amz-Target that names a property every object has is no operation either.
      await expectAwsError(call(service, 'toString', {}), 'UnknownOperationException');
      await expectAwsError(call(service, 'constructor', {}), 'UnknownOperationException');
      await service.stop();
    });

    it('answers ExecutionLimitExceeded past the open-execution limit', async () => {
      // Prepare
      const { service } = makeService(
        { Reserve: () => new Promise(() => undefined) },
        { maxOpenExecutions: 1 },
      );
      await service.start();
      const first = await startExecution(service);

      // Act
      const second = startExecution(service);

      // Assess
      await expectAwsError(second, 'ExecutionLimitExceeded');
      await call(service, 'StopExecution', { executionArn: first });
      const third = await startExecution(service);
      await expectAwsError(
        call(service, 'RedriveExecution', { executionArn: first }),
        'ExecutionLimitExceeded',
      );
      await call(service, 'StopExecution', { executionArn: third });
      await service.stop();
    });

    it('runs hundreds of executions at once, each with its own history', async () => {
      // Prepare
      const { service } = makeService({
        Reserve: async (invocation) => {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 20));
          return { holdId: `h-${invocation.executionName}` };
        },
      });
      await service.start();

      // Act
      const arns = await Promise.all(Array.from({ length: 300 }, () => startExecution(service)));
      const records = await Promise.all(arns.map((arn) => service.whenSettled(arn)));

      // Assess
      expect(records.every((record) => record.status === 'SUCCEEDED')).toBe(true);
      for (const record of records.slice(0, 20)) {
        const events = await historyOf(service, record.executionArn);
        expect(events).toHaveLength(19);
        expect(events[4]).toMatchObject({
          lambdaFunctionSucceededEventDetails: { output: JSON.stringify({ holdId: `h-${record.name}` }) },
        });
      }
      await service.stop();
    });
  });

  describe('Retry, Catch and Fail', () => {
    it('records one Scheduled/Started/Failed group per attempt and succeeds on the last retry', async () => {
      // Prepare
      const { service, calls } = makeService({
        Reserve: (invocation) => {
          if (invocation.attempt < 3) throw named('TransientError', `try ${invocation.attempt}`);
          return { holdId: 'h-3' };
        },
      });
      await service.start();

      // Act
      const arn = await startExecution(service);
      const record = await service.whenSettled(arn);
      const events = await historyOf(service, arn);

      // Assess
      expect(record.status).toBe('SUCCEEDED');
      expect(calls.filter((c) => c.stateName === 'Reserve').map((c) => c.attempt)).toEqual([1, 2, 3]);
      expect(typesOf(events).slice(1, 13)).toEqual([
        'TaskStateEntered',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionFailed',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionFailed',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionSucceeded',
        'TaskStateExited',
        'TaskStateEntered',
      ]);
      const failed = events[4]?.lambdaFunctionFailedEventDetails as { error: string; cause: string };
      expect(failed.error).toBe('TransientError');
      // Lambda's Node runtime shape, as Step Functions records it.
      expect(JSON.parse(failed.cause)).toMatchObject({ errorType: 'TransientError', errorMessage: 'try 1' });
      await service.stop();
    });

    it('fails the execution at the task once retries are exhausted, redrivable', async () => {
      // Prepare
      const { service, calls } = makeService({
        Charge: (invocation) => {
          throw named('TransientError', `gateway down (attempt ${invocation.attempt})`);
        },
      });
      await service.start();

      // Act
      const arn = await startExecution(service);
      const record = await service.whenSettled(arn);
      const described = await call(service, 'DescribeExecution', { executionArn: arn });
      const events = await historyOf(service, arn);

      // Assess
      expect(record.status).toBe('FAILED');
      expect(calls.filter((c) => c.stateName === 'Charge')).toHaveLength(3);
      expect(calls.some((c) => c.stateName === 'Compensate')).toBe(false);
      expect(described).toMatchObject({
        status: 'FAILED',
        error: 'TransientError',
        redriveCount: 0,
        redriveStatus: 'REDRIVABLE',
      });
      expect(JSON.parse(String(described.cause))).toMatchObject({ errorMessage: 'gateway down (attempt 3)' });
      expect(typesOf(events).slice(-2)).toEqual(['LambdaFunctionFailed', 'ExecutionFailed']);
      expect(events.at(-1)).toMatchObject({ executionFailedEventDetails: { error: 'TransientError' } });
      await service.stop();
    });

    it('catches a final error, compensates and ends in the Fail state with ErrorPath and CausePath', async () => {
      // Prepare
      const { service, calls } = makeService({
        Charge: () => {
          throw named('FinalError', 'card declined');
        },
        Compensate: (invocation) => ({ released: (invocation.input as { reserve: unknown }).reserve }),
      });
      await service.start();

      // Act
      const arn = await startExecution(service);
      const record = await service.whenSettled(arn);
      const events = await historyOf(service, arn);

      // Assess
      expect(record).toMatchObject({
        status: 'FAILED',
        error: 'FinalError',
        cause: 'compensated after a final error',
      });
      const compensateInput = calls.find((c) => c.stateName === 'Compensate')?.input as {
        error: { Error: string; Cause: string };
      };
      expect(compensateInput.error.Error).toBe('FinalError');
      expect(JSON.parse(compensateInput.error.Cause)).toMatchObject({ errorMessage: 'card declined' });
      // (no FailStateExited: AWS records none)
      expect(typesOf(events).slice(-11)).toEqual([
        'LambdaFunctionFailed',
        'TaskStateExited',
        'TaskStateEntered',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionSucceeded',
        'TaskStateExited',
        'PassStateEntered',
        'PassStateExited',
        'FailStateEntered',
        'ExecutionFailed',
      ]);
      expect(events.at(-1)).toMatchObject({
        executionFailedEventDetails: { error: 'FinalError', cause: 'compensated after a final error' },
      });
      await service.stop();
    });

    it('records a task timeout as LambdaFunctionTimedOut and ignores the late result', async () => {
      // Prepare
      let lateResult: () => void = () => undefined;
      const { service } = makeService({
        Charge: (invocation) =>
          invocation.attempt === 1
            ? new Promise((resolve) => {
                lateResult = () => resolve({ chargeId: 'late' });
              })
            : { chargeId: 'ch-2' },
      });
      await service.start();

      // Act
      const arn = await startExecution(service);
      const record = await service.whenSettled(arn);
      lateResult();
      await new Promise((resolve) => setImmediate(resolve));
      const events = await historyOf(service, arn);

      // Assess: States.Timeout is not in Charge's Retry list, so the execution fails at Charge.
      expect(record).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
      expect(typesOf(events).slice(-3)).toEqual([
        'LambdaFunctionStarted',
        'LambdaFunctionTimedOut',
        'ExecutionFailed',
      ]);
      expect(events.at(-2)).toMatchObject({
        lambdaFunctionTimedOutEventDetails: { error: 'States.Timeout' },
      });
      await service.stop();
    });
  });

  describe('execution timeout', () => {
    it('times the execution out after the machine TimeoutSeconds, redrivable', async () => {
      // Prepare
      const definition = {
        StartAt: 'Slow',
        TimeoutSeconds: 1,
        States: { Slow: { Type: 'Task', Resource: lambdaArn('slow'), TimeoutSeconds: 30, End: true } },
      };
      let lateResult: () => void = () => undefined;
      const { service } = makeService(
        {
          Slow: () =>
            new Promise((resolve) => {
              lateResult = () => resolve({ tooLate: true });
            }),
        },
        { stateMachines: [{ name: MACHINE, definition }] },
      );
      await service.start();

      // Act
      const arn = await startExecution(service);
      const record = await service.whenSettled(arn);
      lateResult();
      await new Promise((resolve) => setImmediate(resolve));
      const described = await call(service, 'DescribeExecution', { executionArn: arn });
      const events = await historyOf(service, arn);

      // Assess
      expect(record).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
      expect(described).toMatchObject({ status: 'TIMED_OUT', redriveStatus: 'REDRIVABLE' });
      expect(events.at(-1)).toMatchObject({
        type: 'ExecutionTimedOut',
        executionTimedOutEventDetails: { error: 'States.Timeout' },
      });
      expect(events.at(-2)?.type).toBe('LambdaFunctionStarted');
      await service.stop();
    });
  });

  describe('StopExecution', () => {
    it('aborts a running execution with error and cause, records nothing after, stays redrivable', async () => {
      // Prepare
      let finishCharge: () => void = () => undefined;
      const { service, calls } = makeService({
        Charge: () =>
          new Promise((resolve) => {
            finishCharge = () => resolve({ chargeId: 'too-late' });
          }),
      });
      await service.start();
      const arn = await startExecution(service);
      await until(() => calls.some((c) => c.stateName === 'Charge'));

      // Act
      const stopped = await call<{ stopDate: number }>(service, 'StopExecution', {
        executionArn: arn,
        error: 'Operator.Stop',
        cause: 'stopped by ops',
      });
      finishCharge();
      await new Promise((resolve) => setImmediate(resolve));
      const described = await call(service, 'DescribeExecution', { executionArn: arn });
      const events = await historyOf(service, arn);

      // Assess
      expect(stopped.stopDate).toBeCloseTo(Date.now() / 1000, -1);
      expect(described).toMatchObject({
        status: 'ABORTED',
        error: 'Operator.Stop',
        cause: 'stopped by ops',
        redriveStatus: 'REDRIVABLE',
      });
      expect(typesOf(events).slice(-3)).toEqual([
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'ExecutionAborted',
      ]);
      expect(events.at(-1)).toMatchObject({
        executionAbortedEventDetails: { error: 'Operator.Stop', cause: 'stopped by ops' },
      });
      expect(calls.filter((c) => c.stateName === 'Publish')).toHaveLength(0);
      await service.stop();
    });
  });

  describe('RedriveExecution', () => {
    it('re-runs the failed task with its recorded input, keeps earlier results and counts redrives', async () => {
      // Prepare
      let gatewayUp = false;
      const { service, calls } = makeService({
        Reserve: () => ({ holdId: 'h-kept' }),
        Charge: (invocation) => {
          if (!gatewayUp) throw named('TransientError', 'gateway down');
          return { chargeId: `ch-${(invocation.input as { reserve: { holdId: string } }).reserve.holdId}` };
        },
      });
      await service.start();
      const arn = await startExecution(service);
      await service.whenSettled(arn);
      const failedHistory = await historyOf(service, arn);

      // Act
      gatewayUp = true;
      const redrive = await call<{ redriveDate: number }>(service, 'RedriveExecution', { executionArn: arn });
      const record = await service.whenSettled(arn);
      const events = await historyOf(service, arn);
      const described = await call(service, 'DescribeExecution', { executionArn: arn });

      // Assess
      expect(record.status).toBe('SUCCEEDED');
      expect(JSON.parse(record.output ?? '{}')).toMatchObject({ charge: { chargeId: 'ch-h-kept' } });
      expect(calls.filter((c) => c.stateName === 'Reserve')).toHaveLength(1);
      expect(events.slice(0, failedHistory.length)).toEqual(failedHistory);
      const redriven = events[failedHistory.length];
      expect(redriven).toMatchObject({
        type: 'ExecutionRedriven',
        id: failedHistory.length + 1,
        previousEventId: failedHistory.length,
        executionRedrivenEventDetails: { redriveCount: 1 },
      });
      expect(events[failedHistory.length + 1]).toMatchObject({
        type: 'TaskStateEntered',
        stateEnteredEventDetails: { name: 'Charge' },
      });
      expect(described).toMatchObject({
        status: 'SUCCEEDED',
        redriveCount: 1,
        redriveDate: redrive.redriveDate,
        redriveStatus: 'NOT_REDRIVABLE',
        redriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
      });
      expect(described).not.toHaveProperty('error');
      await expectAwsError(
        call(service, 'RedriveExecution', { executionArn: arn }),
        'ExecutionNotRedrivable',
      );
      await service.stop();
    });

    it('fails again at the Fail state when the execution ended in one, counting each redrive', async () => {
      // Prepare
      const { service, calls } = makeService({
        Reserve: () => {
          throw named('FinalError', 'insufficient funds');
        },
      });
      await service.start();
      const arn = await startExecution(service);
      await service.whenSettled(arn);

      // Act
      await call(service, 'RedriveExecution', { executionArn: arn, clientToken: 'tok-1' });
      const first = await service.whenSettled(arn);
      const repeated = await call<{ redriveDate: number }>(service, 'RedriveExecution', {
        executionArn: arn,
        clientToken: 'tok-1',
      });
      await call(service, 'RedriveExecution', { executionArn: arn, clientToken: 'tok-2' });
      const second = await service.whenSettled(arn);
      const events = await historyOf(service, arn);

      // Assess
      expect(first).toMatchObject({ status: 'FAILED', error: 'FinalError', redriveCount: 1 });
      expect(repeated.redriveDate).toBe((first.redriveDate ?? 0) / 1000);
      expect(second).toMatchObject({ status: 'FAILED', redriveCount: 2 });
      expect(calls.filter((c) => c.stateName === 'Reserve')).toHaveLength(1);
      expect(typesOf(events).slice(-6)).toEqual([
        'ExecutionRedriven',
        'FailStateEntered',
        'ExecutionFailed',
        'ExecutionRedriven',
        'FailStateEntered',
        'ExecutionFailed',
      ]);
      await service.stop();
    });

    it('refuses RUNNING executions and executions closed more than 14 days ago', async () => {
      // Prepare
      let now = Date.now();
      const { service } = makeService(
        {
          Reserve: (invocation) =>
            invocation.executionName.startsWith('hang') ? new Promise(() => undefined) : { holdId: 'h' },
          Charge: () => {
            throw named('TransientError', 'down');
          },
        },
        { now: () => now },
      );
      await service.start();
      const running = await startExecution(service, `hang-${randomUUID()}`);
      const old = await startExecution(service);
      await service.whenSettled(old);

      // Act
      now += 15 * 24 * 60 * 60 * 1000;
      const described = await call(service, 'DescribeExecution', { executionArn: old });

      // Assess
      await expectAwsError(
        call(service, 'RedriveExecution', { executionArn: running }),
        'ExecutionNotRedrivable',
      );
      await expectAwsError(
        call(service, 'RedriveExecution', { executionArn: old }),
        'ExecutionNotRedrivable',
      );
      expect(described).toMatchObject({
        redriveStatus: 'NOT_REDRIVABLE',
        redriveStatusReason: 'Execution redrivable period exceeded',
      });
      await expectAwsError(
        call(service, 'RedriveExecution', { executionArn: `${old}-missing` }),
        'ExecutionDoesNotExist',
      );
      await call(service, 'StopExecution', { executionArn: running });
      await service.stop();
    });
  });

  describe('ListExecutions and GetExecutionHistory', () => {
    it('filters by status and redrive, pages newest first with nextToken', async () => {
      // Prepare
      let now = 1_700_000_000_000;
      const { service } = makeService(
        {
          Charge: (invocation) => {
            if (invocation.executionName.startsWith('fail')) throw named('TransientError', 'down');
            return { chargeId: 'c' };
          },
        },
        { now: () => now++ },
      );
      await service.start();
      const ok = [];
      for (let index = 0; index < 5; index += 1) ok.push(await startExecution(service, `ok-${index}`));
      const failed = await startExecution(service, 'fail-0');
      await Promise.all([...ok, failed].map((arn) => service.whenSettled(arn)));
      const redrivenFailed = await startExecution(service, 'fail-1');
      await service.whenSettled(redrivenFailed);
      await call(service, 'RedriveExecution', { executionArn: redrivenFailed });
      await service.whenSettled(redrivenFailed);

      // Act
      const page1 = await call<{ executions: Array<{ name: string }>; nextToken?: string }>(
        service,
        'ListExecutions',
        { stateMachineArn: MACHINE_ARN, statusFilter: 'SUCCEEDED', maxResults: 2 },
      );
      const page2 = await call<{ executions: Array<{ name: string }>; nextToken?: string }>(
        service,
        'ListExecutions',
        {
          stateMachineArn: MACHINE_ARN,
          statusFilter: 'SUCCEEDED',
          maxResults: 2,
          nextToken: page1.nextToken,
        },
      );
      const page3 = await call<{ executions: Array<{ name: string }>; nextToken?: string }>(
        service,
        'ListExecutions',
        {
          stateMachineArn: MACHINE_ARN,
          statusFilter: 'SUCCEEDED',
          maxResults: 2,
          nextToken: page2.nextToken,
        },
      );
      const failedList = await call<{ executions: Array<Record<string, unknown>> }>(
        service,
        'ListExecutions',
        {
          stateMachineArn: MACHINE_ARN,
          statusFilter: 'FAILED',
        },
      );
      const redriven = await call<{ executions: Array<Record<string, unknown>> }>(service, 'ListExecutions', {
        stateMachineArn: MACHINE_ARN,
        redriveFilter: 'REDRIVEN',
      });

      // Assess
      expect(page1.executions.map((e) => e.name)).toEqual(['ok-4', 'ok-3']);
      expect(page2.executions.map((e) => e.name)).toEqual(['ok-2', 'ok-1']);
      expect(page3.executions.map((e) => e.name)).toEqual(['ok-0']);
      expect(page3.nextToken).toBeUndefined();
      expect(failedList.executions.map((e) => e.name).sort()).toEqual(['fail-0', 'fail-1']);
      expect(failedList.executions[0]).toMatchObject({
        stateMachineArn: MACHINE_ARN,
        status: 'FAILED',
        startDate: expect.any(Number),
        stopDate: expect.any(Number),
      });
      expect(redriven.executions).toEqual([
        expect.objectContaining({ name: 'fail-1', redriveCount: 1, redriveDate: expect.any(Number) }),
      ]);
      await expectAwsError(
        call(service, 'ListExecutions', {
          stateMachineArn: MACHINE_ARN,
          statusFilter: 'FAILED',
          nextToken: page1.nextToken,
        }),
        'InvalidToken',
      );
      await service.stop();
    });

    it('pages the history, reverses it and leaves data out on request', async () => {
      // Prepare
      const { service } = makeService({});
      await service.start();
      const arn = await startExecution(service);
      await service.whenSettled(arn);
      const all = await historyOf(service, arn);

      // Act
      const first = await call<{ events: HistoryEvent[]; nextToken?: string }>(
        service,
        'GetExecutionHistory',
        {
          executionArn: arn,
          maxResults: 5,
        },
      );
      const rest = await call<{ events: HistoryEvent[]; nextToken?: string }>(
        service,
        'GetExecutionHistory',
        {
          executionArn: arn,
          maxResults: 1000,
          nextToken: first.nextToken,
        },
      );
      const reversed = await call<{ events: HistoryEvent[] }>(service, 'GetExecutionHistory', {
        executionArn: arn,
        reverseOrder: true,
        includeExecutionData: false,
      });

      // Assess
      expect([...first.events, ...rest.events]).toEqual(all);
      expect(rest.nextToken).toBeUndefined();
      expect(reversed.events.map((event) => event.id)).toEqual(all.map((event) => event.id).reverse());
      expect(reversed.events.at(-1)).toEqual({
        id: 1,
        previousEventId: 0,
        timestamp: all[0]?.timestamp,
        type: 'ExecutionStarted',
        executionStartedEventDetails: { roleArn: expect.any(String) },
      });
      expect(JSON.stringify(reversed.events)).not.toContain('"input"');
      await service.stop();
    });

    it('lists and describes the state machines it serves', async () => {
      // Prepare
      const { service } = makeService({});
      await service.start();

      // Act
      const listed = await call<{ stateMachines: unknown[] }>(service, 'ListStateMachines', {});
      const described = await call(service, 'DescribeStateMachine', { stateMachineArn: MACHINE_ARN });

      // Assess
      expect(listed.stateMachines).toEqual([
        { stateMachineArn: MACHINE_ARN, name: MACHINE, type: 'STANDARD', creationDate: expect.any(Number) },
      ]);
      expect(JSON.parse(String(described.definition))).toEqual(TEST_ASL);
      expect(described).toMatchObject({ status: 'ACTIVE', type: 'STANDARD' });
      await service.stop();
    });
  });
});
