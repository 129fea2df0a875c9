import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { ASL_FILE, FUNCTIONS, SAGA_STATES } from '../../core/config/names';
import { guaranteedRetrySeconds } from '../../core/config/retries';
import { FINAL_ERROR_NAMES, IN_PROGRESS_ERROR_NAME, TRANSIENT_ERROR_NAMES } from '../../core/errors';
import {
  ASL_TOKENS,
  readSagaDefinitionSource,
  readSagaDefinitionText,
  renderSagaDefinition,
  sagaPlaceholders,
} from '../../core/saga/definition';

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds: number;
  MaxAttempts: number;
  BackoffRate: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}
interface State {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  Retry?: Retrier[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
  Next?: string;
}

const definition = JSON.parse(readSagaDefinitionText()) as { StartAt: string; States: Record<string, State> };
const states = definition.States;
const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');
const placeholderFor = (state: State) => /^\$\{(\w+)\}$/.exec(state.Resource ?? '')?.[1];
const functionFor = (state: State) => {
  const placeholder = placeholderFor(state);
  return placeholder ? Object.values(FUNCTIONS).find((f) => f.aslPlaceholder === placeholder) : undefined;
};
const lambdaTasks = tasks.filter(([, s]) => functionFor(s));
const totalRetryBudget = (r: Retrier) => {
  let total = 0;
  for (let attempt = 0; attempt < r.MaxAttempts; attempt++) {
    total += Math.min(
      r.IntervalSeconds * r.BackoffRate ** attempt,
      r.MaxDelaySeconds ?? Number.POSITIVE_INFINITY,
    );
  }
  return total;
};

describe(`Workflow: ${ASL_FILE}`, () => {
  it('is valid ASL (asl-validator)', () => {
    // Act
    const { isValid, errorsText } = aslValidator(
      renderSagaDefinition(
        Object.fromEntries(
          sagaPlaceholders().map((p) => [p, `arn:aws:lambda:us-east-1:000000000000:function:${p}`]),
        ),
      ),
    );
    // Assess
    expect(isValid, errorsText()).toBe(true);
  });

  it('keeps the state names that tests and operations rely on', () => {
    for (const name of Object.values(SAGA_STATES)) expect(states, name).toHaveProperty(name);
    expect(definition.StartAt).toBe(SAGA_STATES.reserve);
  });

  it('uses exactly the placeholders the stacks substitute', () => {
    const used = new Set([...readSagaDefinitionText().matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual([...sagaPlaceholders()].sort());
  });

  it.each(tasks)('Task %s has a timeout longer than its function timeout', (_, state) => {
    expect(state.TimeoutSeconds).toBeGreaterThan(0);
    const fn = functionFor(state);
    if (fn) expect(state.TimeoutSeconds).toBeGreaterThan(fn.timeoutSeconds);
  });

  it.each(lambdaTasks)(
    'Lambda Task %s retries only transient errors, with a max delay, and every one of them',
    (_, state) => {
      // Prepare
      const retriers = state.Retry ?? [];
      // Assess
      expect(retriers.length).toBeGreaterThan(0);
      for (const retrier of retriers) {
        expect(retrier.MaxDelaySeconds).toBeGreaterThan(0);
        expect(retrier.BackoffRate).toBeGreaterThan(1);
        for (const name of retrier.ErrorEquals)
          expect(TRANSIENT_ERROR_NAMES as readonly string[], `${name} must not be retried`).toContain(name);
      }
      const covered = new Set(retriers.flatMap((r) => r.ErrorEquals));
      for (const name of TRANSIENT_ERROR_NAMES) expect(covered, `${name} is not retried`).toContain(name);
      // Busy services get full jitter; only the in-progress lock's known deadline is waited out without it.
      for (const retrier of retriers.filter((r) => !r.ErrorEquals.includes(IN_PROGRESS_ERROR_NAME)))
        expect(retrier.JitterStrategy).toBe('FULL');
    },
  );

  it('retries what the AWS SDK and Powertools throw when a service is busy', () => {
    for (const name of [
      'ProvisionedThroughputExceededException',
      'ThrottlingException',
      'RequestLimitExceeded',
      'InternalServerError',
      'TransactionConflictException',
      'ServiceUnavailable',
      'IdempotencyPersistenceLayerError',
    ])
      expect(TRANSIENT_ERROR_NAMES as readonly string[]).toContain(name);
  });

  it('writes no error list by hand: every Lambda Task reads the lists of core/errors.ts', () => {
    // Prepare
    const source = JSON.parse(readSagaDefinitionSource()) as { States: Record<string, State> };
    // Act
    const written = Object.values(source.States).flatMap((state) =>
      functionFor(state) ? [JSON.stringify({ retry: state.Retry, catch: state.Catch })] : [],
    );
    // Assess
    expect(written.length).toBe(lambdaTasks.length);
    for (const text of written) {
      expect(text).toContain(ASL_TOKENS.transientErrors);
      expect(text).toContain(ASL_TOKENS.inProgressRetry);
      for (const name of [...TRANSIENT_ERROR_NAMES, ...FINAL_ERROR_NAMES])
        expect(text).not.toContain(`"${name}"`);
    }
  });

  it.each(lambdaTasks)(
    'Lambda Task %s keeps retrying a step in progress for longer than its function can hold the lock',
    (_, state) => {
      // Prepare
      const fn = functionFor(state);
      // Act
      const inProgress = (state.Retry ?? []).find((r) => r.ErrorEquals.includes(IN_PROGRESS_ERROR_NAME));
      // Assess: the first retrier that matches wins, so nothing before it may take the error.
      expect(inProgress).toBeDefined();
      expect(state.Retry?.[0]).toBe(inProgress);
      expect(guaranteedRetrySeconds(inProgress as Retrier)).toBeGreaterThan(fn?.timeoutSeconds ?? 0);
    },
  );

  it('catches final errors of the forward steps into compensations in reverse order', () => {
    const catchTarget = (name: string) =>
      states[name]?.Catch?.find(
        (c) =>
          c.ErrorEquals.includes('CardDeclinedError') || c.ErrorEquals.includes('InsufficientFundsError'),
      )?.Next;
    for (const step of ['Reserve', 'Charge', 'Settle']) {
      expect(states[step]?.Catch?.[0]?.ErrorEquals.sort()).toEqual([...FINAL_ERROR_NAMES].sort());
    }
    expect(catchTarget('Reserve')).toBe('RecordFailure');
    // After a Charge error RefundCharge first asks the gateway whether a charge exists.
    expect(catchTarget('Charge')).toBe('RefundCharge');
    expect(catchTarget('Settle')).toBe('RefundCharge');
    expect(states.RefundCharge?.Next).toBe('ReleaseFunds');
    expect(states.ReleaseFunds?.Next).toBe('RecordFailure');
  });

  it('retries compensations longer than forward steps, then dead-letters them', () => {
    const budget = (name: string) =>
      totalRetryBudget(states[name]?.Retry?.find((r) => r.JitterStrategy === 'FULL') as Retrier);
    for (const compensation of ['RefundCharge', 'ReleaseFunds']) {
      expect(budget(compensation)).toBeGreaterThan(budget('Charge'));
      expect(states[compensation]?.Catch?.[0]).toMatchObject({
        ErrorEquals: ['States.ALL'],
        Next: 'DeadLetterCompensation',
      });
    }
    expect(states.DeadLetterCompensation?.Resource).toBe('arn:aws:states:::sqs:sendMessage');
  });

  it('dead-letters a failed notification and still ends Succeeded', () => {
    expect(states.Notify?.Catch?.[0]?.Next).toBe('DeadLetterNotification');
    const path: string[] = [];
    for (
      let name: string | undefined = 'DeadLetterNotification';
      name && path.length < 10;
      name = states[name]?.Next
    )
      path.push(name);
    expect(path.at(-1)).toBe('Succeeded');
  });

  it('ends a business failure (declined, short wallet) in a terminal that does not fail the execution', () => {
    // Prepare
    const path: string[] = [];
    // Act
    for (let name: string | undefined = 'RecordFailure'; name && path.length < 10; name = states[name]?.Next)
      path.push(name);
    // Assess: a failed execution means a saga that stopped and needs a person.
    expect(path.at(-1)).toBe(SAGA_STATES.failed);
    expect(states[SAGA_STATES.failed]?.Type).toBe('Succeed');
    expect(states[SAGA_STATES.compensationFailed]?.Type).toBe('Fail');
    const fails = Object.entries(states).filter(([, s]) => s.Type === 'Fail');
    expect(fails.map(([name]) => name)).toEqual([SAGA_STATES.compensationFailed]);
  });

  it('routes an error on neither list to an outcome: failed where no money moved, parked where it may have', () => {
    const unexpected = (step: string) =>
      states[step]?.Catch?.find((c) => c.ErrorEquals.includes('UnexpectedStepError'));
    // Assess
    expect(unexpected('Reserve')).toMatchObject({ ResultPath: '$.error', Next: 'RecordFailure' });
    for (const step of ['Charge', 'Settle'])
      expect(unexpected(step)).toMatchObject({
        ResultPath: '$.compensationError',
        Next: 'DeadLetterCompensation',
      });
    expect(states.DeadLetterCompensation?.Next).toBe('RecordNeedsAttention');
    // Transient errors whose retries ran out are not caught: the execution stops there, hold kept, for a redrive.
    for (const step of ['Reserve', 'Charge', 'Settle'])
      for (const catcher of states[step]?.Catch ?? []) {
        expect(catcher.ErrorEquals).not.toContain('States.ALL');
        for (const name of TRANSIENT_ERROR_NAMES) expect(catcher.ErrorEquals).not.toContain(name);
      }
  });

  it('publishes an outcome event before every terminal state', () => {
    for (const terminal of ['Succeeded', 'Failed', 'CompensationFailed']) {
      const publisher = Object.values(states).find((s) => s.Next === terminal);
      expect(publisher?.Resource, terminal).toBe('arn:aws:states:::events:putEvents');
    }
  });

  it('has no Lambda ARN typed in by hand', () => {
    expect(readFileSync(ASL_FILE, 'utf8')).not.toMatch(/arn:aws:lambda/);
  });
});
