import { describe, expect, it } from 'vitest';
import { EXIT, UsageError } from '../../cli/errors';
import {
  DLQ_KEYS,
  executionArnFor,
  parsePositiveInt,
  parseSagaRef,
  parseSince,
  paymentIdOf,
  resolveDlq,
} from '../../cli/ops/args';
import { clip, formatAge } from '../../cli/ops/format';
import { readableCause, redriveVerdict, type SagaFacts } from '../../cli/ops/sagas';
import { QUEUES, resourceNames } from '../../core/config/names';

const names = resourceNames('dev');
const now = new Date('2026-11-22T12:00:00.000Z');

function usageErrorOf(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('Function: parseSince', () => {
  it.each([
    ['90s', '2026-11-22T11:58:30.000Z'],
    ['30m', '2026-11-22T11:30:00.000Z'],
    ['24h', '2026-11-21T12:00:00.000Z'],
    ['14d', '2026-11-08T12:00:00.000Z'],
    ['2026-11-20', '2026-11-20T00:00:00.000Z'],
    ['2026-11-20T10:00:00Z', '2026-11-20T10:00:00.000Z'],
  ])('reads %s', (text, expected) => {
    expect(parseSince(text, now).toISOString()).toBe(expected);
  });

  it('refuses what is neither a duration nor a date, with a usage exit code', () => {
    const error = usageErrorOf(() => parseSince('yesterday', now));
    expect(error.exitCode).toBe(EXIT.usage);
    expect(error.message).toMatch(/neither a duration \(90s, 30m, 24h, 14d\) nor an ISO date/);
  });
});

describe('Function: parsePositiveInt', () => {
  it('accepts whole numbers within bounds and refuses the rest', () => {
    expect(parsePositiveInt('--limit', '10', 100)).toBe(10);
    for (const bad of ['0', '-1', '1.5', 'ten', '101']) {
      expect(usageErrorOf(() => parsePositiveInt('--limit', bad, 100)).message).toMatch(/--limit must be/);
    }
  });
});

describe('Function: resolveDlq', () => {
  it('lists exactly the queues names.ts marks as dead-letter queues', () => {
    expect(DLQ_KEYS).toEqual([
      'intakeDlq',
      'intakeRuleDlq',
      'notificationDlq',
      'outboxDlq',
      'compensationDlq',
      'topUpIntakeDlq',
      'webhookDlq',
      'refundIntakeDlq',
    ]);
    expect(DLQ_KEYS.every((key) => QUEUES[key].deadLetter)).toBe(true);
  });

  it.each([
    'intake-dlq',
    'intakeDlq',
    'paysaga-dev-intake-dlq',
    'https://sqs.eu-west-1.amazonaws.com/1/paysaga-dev-intake-dlq',
  ])('resolves %s', (text) => {
    expect(resolveDlq(names, text)).toBe('intakeDlq');
  });

  it('names the DLQ of a source queue and lists the DLQs for an unknown one', () => {
    expect(usageErrorOf(() => resolveDlq(names, 'notification')).message).toMatch(
      /paysaga-dev-notification is not a dead-letter queue; its DLQ is notification-dlq/,
    );
    expect(usageErrorOf(() => resolveDlq(names, 'paysaga-prod-intake-dlq')).message).toMatch(
      /unknown queue .* on stage dev: the dead-letter queues are intake-dlq, intake-rule-dlq, notification-dlq, outbox-dlq, compensation-dlq/,
    );
  });
});

describe('Function: parseSagaRef', () => {
  const arn = 'arn:aws:states:eu-west-1:123456789012:execution:paysaga-dev-payment-saga:pay_123';

  it('takes a paymentId or an execution ARN of this stage', () => {
    expect(parseSagaRef(names, 'pay_123')).toEqual({ paymentId: 'pay_123' });
    expect(parseSagaRef(names, arn)).toEqual({ executionArn: arn });
    expect(paymentIdOf(arn)).toBe('pay_123');
    expect(
      executionArnFor(
        'arn:aws:states:eu-west-1:123456789012:stateMachine:paysaga-dev-payment-saga',
        'pay_123',
      ),
    ).toBe(arn);
  });

  it('refuses a malformed ARN, another stage and a malformed paymentId', () => {
    expect(usageErrorOf(() => parseSagaRef(names, 'arn:aws:states:eu-west-1:1:execution:x')).message).toMatch(
      /malformed execution ARN/,
    );
    expect(usageErrorOf(() => parseSagaRef(names, arn.replace('-dev-', '-prod-'))).message).toMatch(
      /execution of paysaga-prod-payment-saga, not of paysaga-dev-payment-saga/,
    );
    expect(usageErrorOf(() => parseSagaRef(names, 'pay 123')).message).toMatch(/malformed paymentId/);
  });
});

describe('Function: redriveVerdict', () => {
  const failedAtCharge: SagaFacts = {
    status: 'FAILED',
    failedState: 'Charge',
    stopDate: new Date('2026-11-22T11:00:00.000Z'),
    redriveCount: 0,
    redriveStatus: 'REDRIVABLE',
    redriveStatusReason: undefined,
  };

  it('redrives a saga that failed at a task on a transient error', () => {
    expect(redriveVerdict(failedAtCharge, now)).toEqual({
      redrivable: true,
      reason: 're-runs Charge with its recorded input',
    });
  });

  it.each([
    [{ failedState: 'Failed' }, /business failure/],
    [{ failedState: 'CompensationFailed' }, /compensation DLQ/],
    [{ status: 'SUCCEEDED' }, /the saga is SUCCEEDED/],
    [{ status: 'RUNNING' }, /the saga is RUNNING/],
    [{ stopDate: new Date('2026-11-08T11:59:00.000Z') }, /more than 14 days ago/],
    [
      { redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'State machine is in DELETING status' },
      /DELETING/,
    ],
    [{ redriveCount: 3 }, /already redriven 3 times \(policy: at most 3\).*--max-redrives 4/],
  ] as const)('refuses %o', (change, reason) => {
    const verdict = redriveVerdict({ ...failedAtCharge, ...change }, now);
    expect(verdict.redrivable).toBe(false);
    expect(verdict.reason).toMatch(reason);
  });

  it('redrives timed-out and aborted sagas, and honours a raised redrive limit', () => {
    expect(redriveVerdict({ ...failedAtCharge, status: 'TIMED_OUT' }, now).redrivable).toBe(true);
    expect(redriveVerdict({ ...failedAtCharge, status: 'ABORTED' }, now).redrivable).toBe(true);
    expect(redriveVerdict({ ...failedAtCharge, redriveCount: 3 }, now, 4).redrivable).toBe(true);
  });
});

describe('Function: readableCause', () => {
  it("keeps a Lambda error's message, not its trace, and masks card numbers", () => {
    const cause = JSON.stringify({
      errorType: 'GatewayUnavailableError',
      errorMessage: 'gateway down for 4242 4242 4242 4242',
      trace: ['at charge (charge.ts:1)'],
    });
    expect(readableCause(cause)).toBe('gateway down for [REDACTED PAN]');
    expect(readableCause('plain text')).toBe('plain text');
    expect(readableCause(undefined)).toBeUndefined();
  });
});

describe('Function: formatAge and clip', () => {
  it('formats ages and clips long text to one line', () => {
    expect([45, 720, 7_500, 200_000].map(formatAge)).toEqual(['45s', '12m', '2h5m', '2d7h']);
    expect(formatAge(undefined)).toBe('-');
    expect(clip('a\nb  c', 10)).toBe('a b c');
    expect(clip('x'.repeat(20), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
