import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { ASL_FILE, FUNCTIONS, SAGA_STATES } from '../../core/config/names';
import { FINAL_ERROR_NAMES, RETRYABLE_ERROR_NAMES } from '../../core/errors';
import { readSagaDefinitionText, renderSagaDefinition, sagaPlaceholders } from '../../core/saga/definition';

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds: number;
  MaxAttempts: number;
  BackoffRate: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}
interface State {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  Retry?: Retrier[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Next?: string;
}

const definition = JSON.parse(readSagaDefinitionText()) as { StartAt: string; States: Record<string, State> };
const states = definition.States;
const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');
/**
 * How Lambda itself fails an invocation: service errors, and the function dying mid-way (out of memory,
 * a crash, its timeout). Every step is idempotent (a stored result is replayed, an in-progress record
 * expires with the invocation), so all of them are retried.
 */
const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
  'Sandbox.Timedout',
  'Runtime.ExitError',
];
const placeholderFor = (state: State) => /^\$\{(\w+)\}$/.exec(state.Resource ?? '')?.[1];
const functionFor = (state: State) => {
  const placeholder = placeholderFor(state);
  return placeholder ? Object.values(FUNCTIONS).find((f) => f.aslPlaceholder === placeholder) : undefined;
};
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

  it.each(tasks.filter(([, s]) => functionFor(s)))(
    'Lambda Task %s retries only retryable errors, with full jitter and a max delay',
    (_, state) => {
      expect(state.Retry?.length).toBeGreaterThan(0);
      for (const retrier of state.Retry ?? []) {
        expect(retrier.JitterStrategy).toBe('FULL');
        expect(retrier.MaxDelaySeconds).toBeGreaterThan(0);
        expect(retrier.BackoffRate).toBeGreaterThan(1);
        for (const name of retrier.ErrorEquals) {
          expect(
            [...RETRYABLE_ERROR_NAMES, ...LAMBDA_SERVICE_ERRORS, 'States.Timeout'],
            `${name} must not be retried`,
          ).toContain(name);
        }
        for (const name of [...RETRYABLE_ERROR_NAMES, ...LAMBDA_SERVICE_ERRORS]) {
          expect(retrier.ErrorEquals).toContain(name);
        }
      }
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
    expect(catchTarget('Charge')).toBe('RefundCharge');
    expect(catchTarget('Settle')).toBe('RefundCharge');
    expect(states.RefundCharge?.Next).toBe('ReleaseFunds');
    expect(states.ReleaseFunds?.Next).toBe('RecordFailure');
  });

  it('retries compensations longer than forward steps, then dead-letters them', () => {
    const budget = (name: string) => totalRetryBudget(states[name]?.Retry?.[0] as Retrier);
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
