import { describe, expect, it } from 'vitest';
import type { SagaTimeline } from '../../../cli/console/api-types';
import {
  barColour,
  FAILED_END_COLOUR,
  KIND_COLOURS,
  timelineChartData,
} from '../../../console/src/charts/timeline-data';

type Step = SagaTimeline['steps'][number];

const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

function step(state: string, kind: Step['kind'], from: number, to: number, extra: Partial<Step> = {}): Step {
  return {
    state,
    kind,
    run: 0,
    enteredAt: at(from),
    exitedAt: at(to),
    durationMs: to - from,
    status: 'succeeded',
    attempts: [{ attempt: 1, scheduledAt: at(from), endedAt: at(to), outcome: 'succeeded' }],
    journal: [],
    ...extra,
  };
}

function timeline(steps: Step[], outcome: Partial<SagaTimeline['outcome']> = {}): SagaTimeline {
  return {
    schemaVersion: 1,
    paymentId: 'pay_timeline_1',
    executionArn: 'arn:aws:states:us-east-1:000000000000:execution:paysaga-local-payment-saga:pay_timeline_1',
    executionName: 'pay_timeline_1',
    startedAt: at(0),
    stoppedAt: at(2000),
    durationMs: 2000,
    redriveCount: 0,
    steps,
    journal: [],
    outcome: { summary: 'failed', executionStatus: 'FAILED', compensations: [], ...outcome },
  };
}

describe('timelineChartData', () => {
  it('puts every state on a row with its span since the start, retry marks at failed attempts, and describes it', () => {
    // Prepare
    const charge = step('Charge', 'step', 100, 900, {
      attempts: [
        {
          attempt: 1,
          scheduledAt: at(100),
          endedAt: at(200),
          outcome: 'failed',
          error: 'GatewayUnavailableError',
        },
        { attempt: 2, scheduledAt: at(400), endedAt: at(500), outcome: 'timed_out', error: 'States.Timeout' },
        { attempt: 3, scheduledAt: at(700), endedAt: at(900), outcome: 'failed', error: 'CardDeclinedError' },
      ],
      status: 'caught',
    });
    const saga = timeline(
      [
        step('Reserve', 'step', 0, 100),
        charge,
        step('ReleaseFunds', 'compensation', 900, 1500),
        step('Failed', 'end', 2000, 2000, { attempts: [], status: 'succeeded' }),
      ],
      { reasonCode: 'card_declined', compensations: ['ReleaseFunds'] },
    );
    // Act
    const data = timelineChartData(saga);
    // Assess
    expect(data.rows.map((r) => [r.label, r.kind, r.span[0]])).toEqual([
      ['Reserve', 'step', 0],
      ['Charge', 'step', 100],
      ['ReleaseFunds', 'compensation', 900],
      ['Failed', 'end', 2000],
    ]);
    expect(data.rows[1]?.retries).toEqual([
      { at: 200, error: 'GatewayUnavailableError' },
      { at: 500, error: 'States.Timeout' },
      { at: 900, error: 'CardDeclinedError' },
    ]);
    // The instant Fail state still gets a visible sliver (1% of the saga)
    expect(data.rows[3]?.span).toEqual([2000, 2020]);
    expect(data.description).toBe(
      'Saga timeline: Reserve (step); Charge (step, 3 attempts, caught); ReleaseFunds (compensation); Failed (end). Outcome: failed (card_declined).',
    );
  });

  it('labels the runs of a redriven saga and colours compensations, caught steps and the end by outcome', () => {
    // Prepare
    const saga = timeline([
      step('Charge', 'step', 0, 100, { status: 'failed' }),
      step('Charge', 'step', 1000, 1200, { run: 1 }),
      step('RefundCharge', 'compensation', 1200, 1300),
      step('Succeeded', 'end', 1300, 1300, { attempts: [] }),
    ]);
    // Act
    const rows = timelineChartData(saga).rows;
    // Assess
    expect(rows.map((r) => r.label)).toEqual(['Charge', 'Charge #2', 'RefundCharge', 'Succeeded']);
    expect(rows.map((r) => barColour(r, 'succeeded'))).toEqual([
      FAILED_END_COLOUR,
      KIND_COLOURS.step,
      KIND_COLOURS.compensation,
      KIND_COLOURS.end,
    ]);
    const end = rows[3];
    expect(end && barColour(end, 'failed')).toBe(FAILED_END_COLOUR);
  });
});
