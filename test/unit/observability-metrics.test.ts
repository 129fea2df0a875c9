import { afterEach, describe, expect, it, vi } from 'vitest';
import { METRIC_NAMES, METRICS_NAMESPACE, METRICS_SERVICE } from '../../core/config/observability';
import {
  CardDeclinedError,
  GatewayUnavailableError,
  InsufficientFundsError,
  InvalidPaymentError,
  LedgerInvariantError,
} from '../../core/errors';
import { type MetricPoint, outcomeMetrics } from '../../core/observability/metrics';
import { stepErrorMetrics, technicalErrorKind } from '../../core/observability/step-errors';
import { powertoolsMetrics } from '../../functions/commons/metrics';
import { countStepFailure } from '../../functions/commons/step-metrics';

class ValidationException extends Error {
  override readonly name = 'ValidationException';
}

describe('Function: stepErrorMetrics', () => {
  it.each([
    new CardDeclinedError('declined', 'insufficient_funds'),
    new InsufficientFundsError('short'),
    new InvalidPaymentError('bad'),
  ])('counts nothing technical for the business outcome %s', (error) => {
    // Act
    const points = stepErrorMetrics('charge', error);
    // Assess
    expect(points).toEqual([]);
    expect(technicalErrorKind(error)).toBeUndefined();
  });

  it('counts a transient error as kind transient, with the step and error as metadata', () => {
    // Act
    const points = stepErrorMetrics('charge', new GatewayUnavailableError('503'));
    // Assess
    expect(points).toEqual([
      {
        name: METRIC_NAMES.technicalError,
        dimensions: { kind: 'transient' },
        value: 1,
        metadata: { step: 'charge', errorName: 'GatewayUnavailableError' },
      },
    ]);
  });

  it.each([
    new LedgerInvariantError('settle without a hold'),
    new ValidationException('Item size has exceeded'),
  ])('counts %s as an unexpected technical error', (error) => {
    // Act
    const [point] = stepErrorMetrics('settle', error);
    // Assess
    expect(point?.dimensions).toEqual({ kind: 'unexpected' });
  });
});

describe('Function: outcomeMetrics', () => {
  it('counts a declined payment by outcome and reason, and the release it ran', () => {
    // Act
    const points = outcomeMetrics(
      { status: 'FAILED', reasonCode: 'card_declined', compensations: ['ReleaseFunds'] },
      {},
    );
    // Assess
    expect(points).toEqual([
      {
        name: METRIC_NAMES.paymentOutcome,
        dimensions: { outcome: 'FAILED', reason: 'card_declined' },
        value: 1,
      },
      { name: METRIC_NAMES.compensation, dimensions: { compensation: 'ReleaseFunds' }, value: 1 },
    ]);
  });

  it('counts a compensation DLQ arrival for a payment that needs attention', () => {
    // Act
    const points = outcomeMetrics({ status: 'NEEDS_ATTENTION', compensations: ['RefundCharge'] }, {});
    // Assess
    expect(points.filter((p) => p.name === METRIC_NAMES.deadLetterArrival)).toEqual([
      { name: METRIC_NAMES.deadLetterArrival, dimensions: { queue: 'compensationDlq' }, value: 1 },
    ]);
    expect(points[0]?.dimensions).toEqual({ outcome: 'NEEDS_ATTENTION', reason: 'none' });
  });

  it('counts a notification DLQ arrival for a success whose notification was parked', () => {
    // Act
    const points = outcomeMetrics(
      { status: 'SUCCEEDED', compensations: [] },
      { notifyError: { Error: 'ThrottlingError', Cause: 'busy' } },
    );
    // Assess
    expect(points.map((p) => [p.name, p.dimensions])).toEqual([
      [METRIC_NAMES.paymentOutcome, { outcome: 'SUCCEEDED', reason: 'none' }],
      [METRIC_NAMES.deadLetterArrival, { queue: 'notificationDlq' }],
    ]);
  });
});

describe('Sink: powertoolsMetrics', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  const emfLines = (write: { mock: { calls: unknown[][] } }) =>
    write.mock.calls
      .map(([chunk]) => String(chunk))
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('writes one EMF document per point, in the namespace with the service dimension', () => {
    // Prepare
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'paysaga-test-charge');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    // Act
    countStepFailure('charge', new GatewayUnavailableError('503'));
    countStepFailure('charge', new CardDeclinedError('declined'));
    // Assess
    const [emf, ...more] = emfLines(write);
    expect(more).toEqual([]);
    expect(emf).toMatchObject({
      service: METRICS_SERVICE,
      kind: 'transient',
      step: 'charge',
      errorName: 'GatewayUnavailableError',
      [METRIC_NAMES.technicalError]: 1,
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: METRICS_NAMESPACE,
            Dimensions: [['service', 'kind']],
            Metrics: [{ Name: METRIC_NAMES.technicalError, Unit: 'Count' }],
          },
        ],
      },
    });
  });

  it('writes nothing off Lambda unless POWERTOOLS_METRICS_DISABLED is set (local runtime, tests)', () => {
    // Prepare
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', '');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', undefined);
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const point: MetricPoint = { name: METRIC_NAMES.paymentOutcome, dimensions: { outcome: 'x' }, value: 1 };
    // Act
    powertoolsMetrics.publish(point);
    // Assess
    expect(emfLines(write)).toEqual([]);
  });
});
