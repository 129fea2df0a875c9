import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { logger } from '../../functions/commons/logger';
import { stepPipeline } from '../../functions/commons/step-pipeline';
import { type CapturedOutput, captureOutput } from '../helpers/fuzz/capture-output';

// functions/commons/step-pipeline.ts: every line a step logs carries its invocation's keys (the subject's
// id, the execution, the step, the request id), also when the local runtime runs several invocations of
// one module at once, without building a Logger per invocation (createChild cost ~0.1 ms each, seven
// times per saga on the runtime's main thread: issue 18 goal 3).

const Input = z.object({ paymentId: z.string(), executionArn: z.string() });
type Input = z.output<typeof Input>;

const context = (requestId: string) =>
  ({ functionName: 'probe', awsRequestId: requestId, getRemainingTimeInMillis: () => 10_000 }) as Context;

let output: CapturedOutput | undefined;
afterEach(() => {
  output?.restore();
  vi.restoreAllMocks();
});

describe('a step pipeline invocation logs with its own keys', () => {
  it('labels each line with its subject, execution, step and request, concurrent invocations included', async () => {
    // Prepare
    const childLoggers = vi.spyOn(logger, 'createChild');
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handler = stepPipeline<Input, typeof Input, { ok: true }>(
      { subject: { logKey: 'paymentId', noun: 'payment', idOf: (event) => event.paymentId } },
      {
        name: 'Probe',
        input: Input,
        idempotent: false,
        run: async (input, attempt) => {
          attempt.log.error('probe before', { marker: input.paymentId });
          await gate;
          attempt.log.error('probe after', { marker: input.paymentId });
          if (input.paymentId.endsWith('-fails')) throw new Error('probe failure');
          return { ok: true };
        },
      },
    );
    const runId = randomUUID();
    const invocations = [`${runId}-a`, `${runId}-b-fails`].map((paymentId) => ({
      paymentId,
      executionArn: `arn:aws:states:eu-west-1:000000000000:execution:saga:${paymentId}`,
      requestId: `req-${paymentId}`,
    }));
    output = captureOutput();

    // Act: both invocations are in their step at once, then both log again.
    const running = invocations.map(({ requestId, ...input }) =>
      handler(input, context(requestId)).catch((error: unknown) => error),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    const results = await Promise.all(running);
    output.restore();

    // Assess
    expect(results[0]).toEqual({ ok: true });
    expect(results[1]).toBeInstanceOf(Error);
    const lines = output.lines
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => String(line.paymentId ?? line.marker ?? '').startsWith(runId));
    for (const { paymentId, executionArn, requestId } of invocations) {
      const own = lines.filter((line) => line.marker === paymentId || line.paymentId === paymentId);
      const messages = own.map((line) => line.message);
      expect(messages).toEqual(
        expect.arrayContaining([
          'probe before',
          'probe after',
          ...(paymentId.endsWith('-fails') ? ['step failed unexpectedly'] : []),
        ]),
      );
      for (const line of own) {
        expect(line).toMatchObject({
          paymentId,
          executionArn,
          step: 'Probe',
          requestId,
          stage: expect.any(String),
        });
        if (line.marker !== undefined) expect(line.marker).toBe(paymentId);
      }
    }
    expect(childLoggers).not.toHaveBeenCalled();
  });
});
