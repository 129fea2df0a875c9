import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS, TOP_UP_ASL_FILE, TOP_UP_STATES } from '../../core/config/names';
import { guaranteedRetrySeconds, type Retrier } from '../../core/config/retries';
import { FINAL_ERROR_NAMES, IN_PROGRESS_ERROR_NAME, TRANSIENT_ERROR_NAMES } from '../../core/errors';
import { ASL_TOKENS } from '../../core/saga/definition';
import {
  readTopUpDefinitionSource,
  readTopUpDefinitionText,
  renderTopUpDefinition,
  topUpPlaceholders,
} from '../../core/topups/definition';

interface State {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  Retry?: Retrier[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
  Next?: string;
}

const definition = JSON.parse(readTopUpDefinitionText()) as {
  StartAt: string;
  States: Record<string, State>;
};
const states = definition.States;
const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');
const functionFor = (state: State) =>
  Object.values(FUNCTIONS).find(
    (f) => f.topUpAslPlaceholder !== undefined && state.Resource === `\${${f.topUpAslPlaceholder}}`,
  );
const lambdaTasks = tasks.filter(([, s]) => functionFor(s));
const fullJitter = (state: State | undefined) => state?.Retry?.find((r) => r.JitterStrategy === 'FULL');
const budget = (r: Retrier | undefined) => {
  let total = 0;
  for (let attempt = 0; attempt < (r?.MaxAttempts ?? 0); attempt++)
    total += Math.min(
      (r?.IntervalSeconds ?? 0) * (r?.BackoffRate ?? 1) ** attempt,
      r?.MaxDelaySeconds ?? Infinity,
    );
  return total;
};

describe(`Workflow: ${TOP_UP_ASL_FILE}`, () => {
  it('is valid ASL (asl-validator) once rendered', () => {
    // Act
    const { isValid, errorsText } = aslValidator(
      renderTopUpDefinition(
        Object.fromEntries(
          topUpPlaceholders().map((p) => [p, `arn:aws:lambda:us-east-1:000000000000:function:${p}`]),
        ),
      ),
    );
    // Assess
    expect(isValid, errorsText()).toBe(true);
  });

  it('keeps the state names of the contract and uses exactly the placeholders the stacks substitute', () => {
    for (const name of Object.values(TOP_UP_STATES)) expect(states, name).toHaveProperty(name);
    expect(definition.StartAt).toBe(TOP_UP_STATES.charge);
    const used = new Set([...readTopUpDefinitionSource().matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual(topUpPlaceholders().sort());
  });

  it.each(tasks)('Task %s has an explicit timeout, longer than its function timeout', (_, state) => {
    expect(state.TimeoutSeconds).toBeGreaterThan(0);
    const fn = functionFor(state);
    if (fn) expect(state.TimeoutSeconds).toBeGreaterThan(fn.timeoutSeconds);
  });

  it.each(lambdaTasks)(
    'Lambda Task %s retries exactly the shared transient list, with full jitter',
    (_, state) => {
      // Prepare
      const retriers = state.Retry ?? [];
      const transient = fullJitter(state);
      // Assess
      expect([...(transient?.ErrorEquals ?? [])].sort()).toEqual([...TRANSIENT_ERROR_NAMES].sort());
      expect(transient?.MaxDelaySeconds).toBeGreaterThan(0);
      expect(transient?.BackoffRate).toBeGreaterThan(1);
      for (const retrier of retriers)
        for (const name of retrier.ErrorEquals)
          expect(TRANSIENT_ERROR_NAMES as readonly string[]).toContain(name);
      // The in-progress retrier comes first and outlasts the lock its function can hold.
      expect(retriers[0]?.ErrorEquals).toEqual([IN_PROGRESS_ERROR_NAME]);
      expect(guaranteedRetrySeconds(retriers[0] as Retrier)).toBeGreaterThan(
        functionFor(state)?.timeoutSeconds ?? 0,
      );
    },
  );

  it('writes no error list by hand: the file names the lists of core/errors.ts', () => {
    // Prepare
    const source = readTopUpDefinitionSource();
    // Assess
    expect(source).toContain(ASL_TOKENS.transientErrors);
    expect(source).toContain(ASL_TOKENS.finalErrors);
    for (const name of [...TRANSIENT_ERROR_NAMES, ...FINAL_ERROR_NAMES])
      expect(source).not.toContain(`"${name}"`);
  });

  it('catches final errors: a refused charge or a credit that fails for good goes through RefundCharge, never straight to RecordFailure', () => {
    const finalCatch = (step: string) =>
      states[step]?.Catch?.find((c) => c.ErrorEquals.includes('CardDeclinedError'));
    for (const step of ['Charge', 'Credit'])
      expect([...(finalCatch(step)?.ErrorEquals ?? [])].sort()).toEqual([...FINAL_ERROR_NAMES].sort());
    expect(finalCatch('Charge')?.Next).toBe('RefundCharge');
    expect(finalCatch('Credit')?.Next).toBe('RefundCharge');
    expect(states.RefundCharge?.Next).toBe('RecordFailure');
    // Transient errors past their retries are not caught: the execution stops there for a redrive.
    for (const step of ['Charge', 'Credit'])
      for (const catcher of states[step]?.Catch ?? [])
        expect(catcher.ErrorEquals).not.toContain('States.ALL');
  });

  it('retries the refund longer than the forward steps, then dead-letters it and fails the execution', () => {
    expect(budget(fullJitter(states.RefundCharge))).toBeGreaterThan(budget(fullJitter(states.Charge)));
    expect(states.RefundCharge?.Catch?.[0]).toMatchObject({
      ErrorEquals: ['States.ALL'],
      Next: 'DeadLetterCompensation',
    });
    expect(states.DeadLetterCompensation?.Resource).toBe('arn:aws:states:::sqs:sendMessage');
    expect(states.CompensationFailed?.Type).toBe('Fail');
    expect(states.Failed?.Type).toBe('Succeed');
  });

  it('publishes an outcome event before every terminal state', () => {
    for (const terminal of ['Succeeded', 'Failed', 'CompensationFailed']) {
      const publisher = Object.values(states).find((s) => s.Next === terminal);
      expect(publisher?.Resource, terminal).toBe('arn:aws:states:::events:putEvents');
    }
  });
});
