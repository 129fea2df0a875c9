import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ASL_RESOURCE_PLACEHOLDERS,
  FUNCTION_KEYS,
  FUNCTIONS,
  type QueueKey,
  resourceNames,
  SAGA_STATES,
} from '../../core/config/names';
import { CardDeclinedError, GatewayUnavailableError, LedgerInvariantError } from '../../core/errors';
import { renderSagaDefinition, sagaPlaceholders } from '../../core/saga/definition';
import type { HistoryEvent } from '../../local/sfn/history-event';
import { StepFunctionsService } from '../../local/sfn/service';
import type { TaskInvocation } from '../../local/sfn/types';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const CONTEXT = { region: REGION, accountId: ACCOUNT };
const NAMES = resourceNames('sfntest');
const MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${NAMES.stateMachine}`;

/** The real saga ASL with fake ARNs and URLs for every placeholder it declares. */
function sagaDefinition(): Record<string, unknown> {
  const substitutions: Record<string, string> = {};
  for (const key of FUNCTION_KEYS) {
    const placeholder = FUNCTIONS[key].aslPlaceholder;
    if (placeholder) {
      substitutions[placeholder] = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${NAMES.functions[key]}`;
    }
  }
  for (const [key, placeholder] of Object.entries(ASL_RESOURCE_PLACEHOLDERS)) {
    // e.g. compensationDlqUrl -> the compensationDlq queue's URL
    const queue = NAMES.queues[key.replace(/Url$/, '') as QueueKey] ?? `local-${placeholder}`;
    substitutions[placeholder] = `http://127.0.0.1:4566/${ACCOUNT}/${queue}`;
  }
  for (const placeholder of sagaPlaceholders()) substitutions[placeholder] ??= `local-${placeholder}`;
  return renderSagaDefinition(substitutions);
}

type Behaviour = (invocation: TaskInvocation) => unknown;

const outcomeOf = (invocation: TaskInvocation): Record<string, unknown> => {
  const input = invocation.input as { outcome: string; saga: { error?: { Error: string } } };
  if (input.outcome === 'succeeded') return { entries: [{ DetailType: 'PaymentSucceeded' }] };
  return {
    entries: [{ DetailType: input.outcome === 'failed' ? 'PaymentFailed' : 'PaymentNeedsAttention' }],
    error: input.saga.error?.Error ?? 'PaymentFailed',
    cause: `payment ${input.outcome}`,
  };
};

/** Step results good enough for the ASL's paths; each test overrides the steps it breaks. */
const HAPPY: Record<string, Behaviour> = {
  [SAGA_STATES.reserve]: () => ({ holdId: 'hold-1', amount: 1250 }),
  [SAGA_STATES.charge]: () => ({ chargeId: 'ch_1' }),
  [SAGA_STATES.settle]: () => ({ settled: true }),
  [SAGA_STATES.notify]: () => ({ queued: true }),
  [SAGA_STATES.releaseFunds]: () => ({ released: true }),
  [SAGA_STATES.refundCharge]: () => ({ refundId: 're_1' }),
  RecordSuccess: outcomeOf,
  RecordFailure: outcomeOf,
  RecordNeedsAttention: outcomeOf,
  PublishSuccess: () => ({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] }),
  PublishFailure: () => ({ FailedEntryCount: 0, Entries: [{ EventId: 'e2' }] }),
  PublishNeedsAttention: () => ({ FailedEntryCount: 0, Entries: [{ EventId: 'e3' }] }),
  DeadLetterNotification: () => ({ MessageId: 'm1' }),
  DeadLetterCompensation: () => ({ MessageId: 'm2' }),
};

function makeSaga(overrides: Record<string, Behaviour>): {
  service: StepFunctionsService;
  calls: TaskInvocation[];
} {
  const calls: TaskInvocation[] = [];
  const behaviours = { ...HAPPY, ...overrides };
  const service = new StepFunctionsService({
    region: REGION,
    accountId: ACCOUNT,
    stateMachines: [{ name: NAMES.stateMachine, definition: sagaDefinition() }],
    retryIntervalScale: 0,
    invokeTask: async (invocation) => {
      calls.push(invocation);
      const behaviour = behaviours[invocation.stateName];
      if (!behaviour) throw new Error(`no fake for ${invocation.stateName}`);
      return behaviour(invocation);
    },
  });
  return { service, calls };
}

async function runPayment(
  service: StepFunctionsService,
): Promise<{ executionArn: string; paymentId: string }> {
  const paymentId = `pay_${randomUUID()}`;
  const payment = { paymentId, merchantId: 'm_1', amount: { value: 1250, currency: 'EUR' } };
  const started = (await service.handle(
    'StartExecution',
    { stateMachineArn: MACHINE_ARN, name: paymentId, input: JSON.stringify({ payment }) },
    CONTEXT,
  )) as { executionArn: string };
  await service.whenSettled(started.executionArn);
  return { executionArn: started.executionArn, paymentId };
}

async function historyOf(service: StepFunctionsService, executionArn: string): Promise<HistoryEvent[]> {
  const page = (await service.handle('GetExecutionHistory', { executionArn, maxResults: 1000 }, CONTEXT)) as {
    events: HistoryEvent[];
  };
  return page.events;
}

/** The states entered, in order, from the history (what `payctl history` shows). */
function statesEntered(events: HistoryEvent[]): string[] {
  return events
    .filter((event) => event.type.endsWith('StateEntered'))
    .map((event) => (event.stateEnteredEventDetails as { name: string }).name);
}

const invokedStates = (calls: TaskInvocation[]): string[] => calls.map((c) => c.stateName);

describe('StepFunctionsService running workflows/payment-saga.asl.json', () => {
  it('runs the happy path Reserve -> Charge -> Settle -> Notify -> Succeeded', async () => {
    // Prepare
    const { service, calls } = makeSaga({});
    await service.start();

    // Act
    const { executionArn, paymentId } = await runPayment(service);
    const record = service.getExecution(executionArn);
    const events = await historyOf(service, executionArn);

    // Assess
    expect(record?.status).toBe('SUCCEEDED');
    expect(statesEntered(events)).toEqual([
      'Reserve',
      'Charge',
      'Settle',
      'Notify',
      'RecordSuccess',
      'PublishSuccess',
      'Succeeded',
    ]);
    const charge = calls.find((c) => c.stateName === SAGA_STATES.charge);
    expect(charge).toMatchObject({
      resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${NAMES.functions.charge}`,
      input: { payment: { paymentId }, reserve: { holdId: 'hold-1' }, executionArn },
      timeoutSeconds: 35,
    });
    const publish = calls.find((c) => c.stateName === 'PublishSuccess');
    expect(publish?.resource).toBe('arn:aws:states:::events:putEvents');
    expect(publish?.input).toEqual({ Entries: [{ DetailType: 'PaymentSucceeded' }] });
    expect(events.find((event) => event.type === 'TaskScheduled')).toMatchObject({
      taskScheduledEventDetails: { resourceType: 'events', resource: 'putEvents', timeoutInSeconds: 15 },
    });
    await service.stop();
  });

  it('releases the hold after a declined charge and ends in Failed, a Succeed-type state: the execution succeeds', async () => {
    // Prepare
    const { service, calls } = makeSaga({
      [SAGA_STATES.charge]: () => {
        throw new CardDeclinedError('card declined by issuer', 'do_not_honor');
      },
    });
    await service.start();

    // Act
    const { executionArn } = await runPayment(service);
    const record = service.getExecution(executionArn);
    const events = await historyOf(service, executionArn);

    // Assess
    expect(record).toMatchObject({ status: 'SUCCEEDED' });
    expect(invokedStates(calls)).toEqual([
      'Reserve',
      'Charge',
      'RefundCharge',
      'ReleaseFunds',
      'RecordFailure',
      'PublishFailure',
    ]);
    const release = calls.find((c) => c.stateName === SAGA_STATES.releaseFunds)?.input as {
      error: { Error: string; Cause: string };
    };
    expect(release.error.Error).toBe('CardDeclinedError');
    expect(JSON.parse(release.error.Cause)).toMatchObject({ errorMessage: 'card declined by issuer' });
    expect(statesEntered(events).at(-1)).toBe(SAGA_STATES.failed);
    expect(events.at(-1)).toMatchObject({ type: 'ExecutionSucceeded' });
    expect(events.some((event) => event.type === 'ExecutionFailed')).toBe(false);
    await service.stop();
  });

  it('keeps the hold when Charge exhausts its retries, then a redrive completes the payment', async () => {
    // Prepare
    let gatewayUp = false;
    const { service, calls } = makeSaga({
      [SAGA_STATES.charge]: () => {
        if (!gatewayUp) throw new GatewayUnavailableError('gateway 503');
        return { chargeId: 'ch_after_redrive' };
      },
    });
    await service.start();
    const { executionArn } = await runPayment(service);
    const failed = service.getExecution(executionArn);

    // Act
    gatewayUp = true;
    await service.handle('RedriveExecution', { executionArn }, CONTEXT);
    const redriven = await service.whenSettled(executionArn);

    // Assess
    expect(failed).toMatchObject({ status: 'FAILED', error: 'GatewayUnavailableError' });
    const chargeAttempts = calls.filter((c) => c.stateName === SAGA_STATES.charge).map((c) => c.attempt);
    expect(chargeAttempts).toEqual([1, 2, 3, 4, 5, 1]);
    expect(invokedStates(calls).filter((s) => s === SAGA_STATES.reserve)).toHaveLength(1);
    expect(invokedStates(calls)).not.toContain(SAGA_STATES.releaseFunds);
    expect(redriven).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(JSON.parse(redriven.output ?? '{}')).toMatchObject({
      reserve: { holdId: 'hold-1' },
      charge: { chargeId: 'ch_after_redrive' },
    });
    await service.stop();
  });

  it('refunds then releases when Settle fails for good', async () => {
    // Prepare
    const { service, calls } = makeSaga({
      [SAGA_STATES.settle]: () => {
        throw new LedgerInvariantError('capture exceeds hold');
      },
    });
    await service.start();

    // Act
    const { executionArn } = await runPayment(service);

    // Assess
    // Compensated: the payment failed, the execution did not (it ends in Failed, a Succeed-type state).
    expect(service.getExecution(executionArn)).toMatchObject({ status: 'SUCCEEDED' });
    expect(invokedStates(calls)).toEqual([
      'Reserve',
      'Charge',
      'Settle',
      'RefundCharge',
      'ReleaseFunds',
      'RecordFailure',
      'PublishFailure',
    ]);
    await service.stop();
  });

  it('dead-letters a compensation that exhausts its retries and ends in CompensationFailed', async () => {
    // Prepare
    const { service, calls } = makeSaga({
      [SAGA_STATES.settle]: () => {
        throw new LedgerInvariantError('capture exceeds hold');
      },
      [SAGA_STATES.refundCharge]: () => {
        throw new GatewayUnavailableError('gateway 503');
      },
    });
    await service.start();

    // Act
    const { executionArn, paymentId } = await runPayment(service);
    const events = await historyOf(service, executionArn);

    // Assess
    expect(service.getExecution(executionArn)).toMatchObject({
      status: 'FAILED',
      error: 'CompensationFailed',
      cause: 'payment needs_attention',
    });
    expect(calls.filter((c) => c.stateName === SAGA_STATES.refundCharge)).toHaveLength(11);
    const deadLetter = calls.find((c) => c.stateName === 'DeadLetterCompensation');
    expect(deadLetter?.resource).toBe('arn:aws:states:::sqs:sendMessage');
    expect(deadLetter?.input).toMatchObject({
      QueueUrl: expect.stringContaining(NAMES.queues.compensationDlq),
      MessageBody: { kind: 'compensation', paymentId, error: 'GatewayUnavailableError', executionArn },
    });
    expect(statesEntered(events).slice(-4)).toEqual([
      'DeadLetterCompensation',
      'RecordNeedsAttention',
      'PublishNeedsAttention',
      SAGA_STATES.compensationFailed,
    ]);
    await service.stop();
  });

  it('dead-letters a failed notification and still succeeds', async () => {
    // Prepare
    const { service, calls } = makeSaga({
      [SAGA_STATES.notify]: () => {
        throw new GatewayUnavailableError('webhook down');
      },
    });
    await service.start();

    // Act
    const { executionArn } = await runPayment(service);

    // Assess
    expect(service.getExecution(executionArn)?.status).toBe('SUCCEEDED');
    expect(calls.filter((c) => c.stateName === SAGA_STATES.notify)).toHaveLength(5);
    expect(invokedStates(calls).slice(-3)).toEqual([
      'DeadLetterNotification',
      'RecordSuccess',
      'PublishSuccess',
    ]);
    await service.stop();
  });
});
