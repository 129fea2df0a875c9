import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { ASL_RESOURCE_PLACEHOLDERS, FUNCTION_KEYS, FUNCTIONS } from '../core/config/names';
import { renderSagaDefinition } from '../core/saga/definition';
import { StepFunctionsService } from '../local/sfn/service';
import { type LevelResult, measureLevel } from './measure';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const MACHINE = 'bench-payment-saga';

/** The saga's ASL with placeholder ARNs (nothing is called: every Task gets a trivial local handler). */
function sagaDefinition(): Record<string, unknown> {
  const substitutions: Record<string, string> = {
    [ASL_RESOURCE_PLACEHOLDERS.compensationDlqUrl]: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/c`,
    [ASL_RESOURCE_PLACEHOLDERS.notificationDlqUrl]: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/n`,
  };
  for (const key of FUNCTION_KEYS) {
    const placeholder = FUNCTIONS[key].aslPlaceholder;
    if (placeholder) substitutions[placeholder] = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:bench-${key}`;
  }
  return renderSagaDefinition(substitutions);
}

/** What every trivial task returns: enough for the next state's paths ($.outcome.entries). */
const TRIVIAL_RESULT = { ok: true, entries: [] };

const payment = (i: number) => ({
  payment: {
    schemaVersion: '1',
    paymentId: `bench-${i}`,
    walletId: 'w',
    merchantId: 'm',
    amount: { value: 1250, currency: 'EUR', exponent: 2 },
    paymentMethod: 'pm_card_visa',
    requestedAt: new Date(0).toISOString(),
  },
});

/** The raw aws-local-stepfunctions engine running the saga's happy path with trivial handlers. */
export async function rawEngineLevel(concurrency: number, runs: number): Promise<LevelResult> {
  const definition = sagaDefinition();
  const states = definition.States as Record<string, { Type: string }>;
  const handlers = Object.fromEntries(
    Object.entries(states)
      .filter(([, state]) => state.Type === 'Task')
      .map(([name]) => [name, async () => TRIVIAL_RESULT]),
  );
  // biome-ignore lint/suspicious/noExplicitAny: the engine's definition type is its own ASL model
  const machine = new StateMachine(definition as any, { validationOptions: { checkArn: false } });
  let serial = 0;
  return measureLevel(concurrency, runs, async () => {
    const name = `bench-${serial++}`;
    const Id = `arn:aws:states:${REGION}:${ACCOUNT}:execution:${MACHINE}:${name}`;
    await machine.run(payment(serial - 1), {
      overrides: { taskResourceLocalHandlers: handlers },
      context: { Execution: { Id, Name: name, StartTime: new Date().toISOString() } },
    }).result;
  });
}

/**
 * paysaga's local Step Functions service (engine + AWS-shaped history + the
 * execution store) with trivial task invokers: StartExecution to settled.
 */
export async function serviceLevel(
  concurrency: number,
  runs: number,
  storage: 'memory' | 'disk',
): Promise<LevelResult> {
  const dataDir = storage === 'disk' ? mkdtempSync(join(tmpdir(), 'paysaga-bench-sfn-')) : undefined;
  const service = new StepFunctionsService({
    region: REGION,
    accountId: ACCOUNT,
    stateMachines: [{ name: MACHINE, definition: sagaDefinition() }],
    invokeTask: async () => TRIVIAL_RESULT,
    ...(dataDir && { dataDir }),
  });
  await service.start();
  const stateMachineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${MACHINE}`;
  let serial = 0;
  try {
    return await measureLevel(concurrency, runs, async () => {
      const i = serial++;
      const { executionArn } = (await service.handle(
        'StartExecution',
        { stateMachineArn, name: `bench-${i}`, input: JSON.stringify(payment(i)) },
        { region: REGION, accountId: ACCOUNT },
      )) as { executionArn: string };
      const record = await service.whenSettled(executionArn);
      if (record.status !== 'SUCCEEDED') throw new Error(`bench execution ended ${record.status}`);
    });
  } finally {
    await service.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}
