import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  RedriveExecutionCommand,
} from '@aws-sdk/client-sfn';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAGA_STATES } from '../../core/config/names';
import { Ledger, LedgerReader } from '../../core/ledger';
import { DETAIL_TYPES, PAYSAGA_SOURCE } from '../../events/envelope';
import type { BusEvent } from '../../local/events/eventbridge-service';
import { fundedWallet as fundedWalletOf, paymentRequest, putPaymentRequested } from '../helpers/payments';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';
import { runtimeHistoryArchive } from '../helpers/s3';

let runtime: TestRuntime;
let clients: ReturnType<typeof sdkClients>;
let ledger: Ledger;
const published: BusEvent[] = [];

beforeAll(async () => {
  runtime = await startTestRuntime({});
  clients = sdkClients(runtime);
  ledger = new Ledger({ doc: clients.documents, tableName: runtime.names.tables.ledger });
  // Observe what the saga publishes and what Step Functions reports, as a later archiver rule would.
  const capture = {
    id: 'capture',
    arn: 'local:capture',
    synchronous: true,
    deliver: async (e: BusEvent) => void published.push(e),
  };
  runtime.internals.events.putRule({
    name: 'capture-outcomes',
    eventBusName: runtime.names.eventBus,
    pattern: { source: [PAYSAGA_SOURCE] },
    targets: [capture],
  });
  runtime.internals.events.putRule({
    name: 'capture-status',
    eventBusName: 'default',
    pattern: { source: ['aws.states'] },
    targets: [capture],
  });
});
afterAll(async () => {
  await runtime?.dispose();
});

const fundedWallet = (minor: number) => fundedWalletOf(ledger, minor);
const request = (detail: unknown) => putPaymentRequested(clients.events, runtime.names.eventBus, detail);

const executionArnOf = (paymentId: string) =>
  `${runtime.env.STATE_MACHINE_ARN?.replace(':stateMachine:', ':execution:')}:${paymentId}`;

async function settled(paymentId: string) {
  return waitFor(`the saga of ${paymentId} to end`, async () => {
    const execution = await clients.sfn
      .send(new DescribeExecutionCommand({ executionArn: executionArnOf(paymentId) }))
      .catch(() => undefined);
    return execution && execution.status !== 'RUNNING' ? execution : undefined;
  });
}

async function statesEntered(paymentId: string): Promise<string[]> {
  const { events = [] } = await clients.sfn.send(
    new GetExecutionHistoryCommand({ executionArn: executionArnOf(paymentId), maxResults: 1000 }),
  );
  return events.flatMap((event) => event.stateEnteredEventDetails?.name ?? []);
}

const outcomesOf = (paymentId: string) =>
  published.filter(
    (e) => e.source === PAYSAGA_SOURCE && (e.detail as { paymentId?: string }).paymentId === paymentId,
  );

describe('the saga on the local runtime', () => {
  it('charges once and publishes PaymentSucceeded for a PaymentRequested, with Step Functions status events', async () => {
    // Prepare
    // Wallet first: 10.00 in the wallet, 12.50 asked: the gateway charges the 2.50 card part.
    const walletId = await fundedWallet(1000);
    const detail = paymentRequest(walletId);
    // Act
    await request(detail);
    const execution = await settled(detail.paymentId);
    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(runtime.sandbox?.chargesFor(detail.paymentId).map((c) => c.amount)).toEqual([250]);
    await waitFor('PaymentSucceeded', () =>
      outcomesOf(detail.paymentId).find((e) => e['detail-type'] === DETAIL_TYPES.paymentSucceeded),
    );
    const statuses = published
      .filter((e) => e.source === 'aws.states' && (e.detail as { name?: string }).name === detail.paymentId)
      .map((e) => e.detail as { status: string; stateMachineArn: string });
    expect(statuses.map((s) => s.status)).toEqual(['RUNNING', 'SUCCEEDED']);
    expect(statuses[0]?.stateMachineArn).toBe(runtime.env.STATE_MACHINE_ARN);
    expect(
      runtime.log.lines.find(
        (line) => line.message === 'saga outcome' && line.paymentId === detail.paymentId,
      ),
    ).toMatchObject({ status: 'SUCCEEDED', outcome: DETAIL_TYPES.paymentSucceeded });
    // The terminal status change reached the history archiver through the default bus.
    const archive = runtimeHistoryArchive(runtime);
    const archived = await waitFor('the archived timeline', () => archive.latest(detail.paymentId));
    expect(archived).toBeDefined();
  });

  it('runs one saga and charges once when the same request arrives twice', async () => {
    // Prepare
    // Wallet first: 10.00 in the wallet, 12.50 asked: the gateway charges the 2.50 card part.
    const walletId = await fundedWallet(1000);
    const detail = paymentRequest(walletId);
    // Act
    await request(detail);
    await request(detail);
    await settled(detail.paymentId);
    await waitFor('both requests to leave the intake queue', async () => {
      const { Attributes } = await runtime.internals.sqs.call<{ Attributes: Record<string, string> }>(
        'GetQueueAttributes',
        {
          QueueUrl: runtime.internals.sqs.queueUrl(runtime.names.queues.intake),
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        },
      );
      return Attributes.ApproximateNumberOfMessages === '0' &&
        Attributes.ApproximateNumberOfMessagesNotVisible === '0'
        ? true
        : undefined;
    });
    // Assess
    expect(runtime.sandbox?.chargesFor(detail.paymentId).map((c) => c.amount)).toEqual([250]);
    expect(
      outcomesOf(detail.paymentId).filter((e) => e['detail-type'] === DETAIL_TYPES.paymentSucceeded),
    ).toHaveLength(1);
  });

  it('releases the hold and publishes PaymentFailed when the card is declined', async () => {
    // Prepare
    // Wallet first: 10.00 in the wallet, 12.50 asked: the gateway charges the 2.50 card part.
    const walletId = await fundedWallet(1000);
    const detail = paymentRequest(walletId, { paymentMethod: 'pm_card_chargeDeclined' });
    // Act
    await request(detail);
    const execution = await settled(detail.paymentId);
    // Assess: a business failure ends in Failed, a Succeed-type state; the payment failed, the execution did not
    expect(execution.status).toBe('SUCCEEDED');
    expect((await statesEntered(detail.paymentId)).at(-1)).toBe(SAGA_STATES.failed);
    expect(await statesEntered(detail.paymentId)).toContain(SAGA_STATES.releaseFunds);
    expect(runtime.sandbox?.chargesFor(detail.paymentId)).toHaveLength(0);
    const failed = await waitFor('PaymentFailed', () =>
      outcomesOf(detail.paymentId).find((e) => e['detail-type'] === DETAIL_TYPES.paymentFailed),
    );
    expect(failed.resources).toContain(executionArnOf(detail.paymentId));
  });

  it('fails at Charge keeping the hold while the gateway is down, and succeeds once redriven, charging once', async () => {
    // Prepare
    // Wallet first: 10.00 in the wallet, 12.50 asked: the gateway charges the 2.50 card part.
    const walletId = await fundedWallet(1000);
    const detail = paymentRequest(walletId);
    runtime.sandbox?.setDown(true);
    // Act
    await request(detail);
    const failed = await settled(detail.paymentId).finally(() => runtime.sandbox?.setDown(false));
    const held = await new LedgerReader(clients.documents, runtime.names.tables.ledger).getWallet(walletId);
    await clients.sfn.send(new RedriveExecutionCommand({ executionArn: executionArnOf(detail.paymentId) }));
    const redriven = await waitFor('the redriven saga to end', async () => {
      const execution = await clients.sfn.send(
        new DescribeExecutionCommand({ executionArn: executionArnOf(detail.paymentId) }),
      );
      return execution.status !== 'RUNNING' ? execution : undefined;
    });
    // Assess
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('GatewayUnavailableError');
    expect(held).toMatchObject({ available: 0, held: 1000 });
    expect(redriven.status).toBe('SUCCEEDED');
    expect(redriven.redriveCount).toBe(1);
    expect(runtime.sandbox?.chargesFor(detail.paymentId).map((c) => c.amount)).toEqual([250]);
  });

  it('parks a request carrying a card number in the intake DLQ with its reason, never starting a saga', async () => {
    // Prepare
    const walletId = await fundedWallet(10_000);
    const detail = paymentRequest(walletId, { description: 'card 4242 4242 4242 4242' });
    // Act
    await request(detail);
    const parked = await waitFor('the rejection in the intake DLQ', async () => {
      const { Messages = [] } = await clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: runtime.internals.sqs.queueUrl(runtime.names.queues.intakeDlq),
          MaxNumberOfMessages: 10,
          MessageAttributeNames: ['All'],
        }),
      );
      return Messages.find((m) => m.Body?.includes(detail.paymentId));
    });
    // Assess
    expect(parked.MessageAttributes?.reasonCode?.StringValue).toBe('card_data_refused');
    expect(parked.Body).not.toContain('4242 4242 4242 4242');
    await waitFor('PaymentRejected', () =>
      outcomesOf(detail.paymentId).find((e) => e['detail-type'] === DETAIL_TYPES.paymentRejected),
    );
    const started = await clients.sfn
      .send(new DescribeExecutionCommand({ executionArn: executionArnOf(detail.paymentId) }))
      .catch((error: unknown) => error as Error);
    expect((started as Error).name).toBe('ExecutionDoesNotExist');
  });
});
