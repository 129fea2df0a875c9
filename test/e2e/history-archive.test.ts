import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClients, createContext } from '../../cli/context';
import { EXIT } from '../../cli/errors';
import type { PaymentHistory } from '../../cli/finance/history';
import { writeReport } from '../../cli/finance/report';
import { DeleteCommand, QueryCommand } from '../../core/aws/dynamodb';
import { bucketNames } from '../../core/config/history';
import { parsePeriod } from '../../core/finance/period';
import { Ledger } from '../../core/ledger';
import { runPayctl } from '../helpers/payctl';
import { fundedWallet, paymentRequest, putPaymentRequested } from '../helpers/payments';
import { clientConfig, sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';
import { runtimeHistoryArchive } from '../helpers/s3';

/**
 * The saga history archive on the local S3: a finished saga's timeline is
 * written to the history bucket, and payctl reads it back once both the
 * payment's items (the table's TTL) and the execution (Step Functions'
 * retention) are gone; a report on a day the table no longer keeps reads S3.
 */
let runtime: TestRuntime;
let clients: ReturnType<typeof sdkClients>;

beforeAll(async () => {
  runtime = await startTestRuntime({ frontDoor: false, sweeper: false });
  clients = sdkClients(runtime);
});
afterAll(async () => {
  await runtime?.dispose();
});

const executionArnOf = (paymentId: string) =>
  `${runtime.env.STATE_MACHINE_ARN?.replace(':stateMachine:', ':execution:')}:${paymentId}`;

async function finishedAndArchived(): Promise<{ paymentId: string; day: string }> {
  const ledger = new Ledger({ doc: clients.documents, tableName: runtime.names.tables.ledger });
  const request = paymentRequest(await fundedWallet(ledger, 10_000));
  await putPaymentRequested(clients.events, runtime.names.eventBus, request);
  const archive = runtimeHistoryArchive(runtime);
  await waitFor(`the archive of ${request.paymentId}`, () => archive.latest(request.paymentId), 30_000);
  return { paymentId: request.paymentId, day: request.requestedAt.slice(0, 10) };
}

/** What the table's TTL does once it fires: every item of the payment goes, but the archive pointer. */
async function expirePaymentItems(paymentId: string): Promise<number> {
  const { Items = [] } = await clients.documents.send(
    new QueryCommand({
      TableName: runtime.names.tables.payments,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `PAYMENT#${paymentId}` },
    }),
  );
  const expiring = Items.filter((item) => item.expiresAt !== undefined);
  for (const item of expiring) {
    await clients.documents.send(
      new DeleteCommand({ TableName: runtime.names.tables.payments, Key: { pk: item.pk, sk: item.sk } }),
    );
  }
  return expiring.length;
}

async function history(paymentId: string): Promise<PaymentHistory> {
  const result = await runPayctl(runtime, '--json', 'history', paymentId);
  expect(result.code, result.stderr).toBe(EXIT.ok);
  return result.json<PaymentHistory>();
}

describe('the saga history archive on local S3', () => {
  it("reads a finished saga's timeline back from S3 after its payment record and its execution are gone", async () => {
    // Prepare
    const { paymentId, day } = await finishedAndArchived();
    const live = await history(paymentId);
    // Act
    const expired = await expirePaymentItems(paymentId);
    runtime.internals.saga.service.forgetExecution(executionArnOf(paymentId));
    const archived = await history(paymentId);
    const human = await runPayctl(runtime, 'history', paymentId);
    // Assess
    expect(expired).toBeGreaterThan(0);
    await expect(
      clients.sfn.send(new DescribeExecutionCommand({ executionArn: executionArnOf(paymentId) })),
    ).rejects.toThrow(/does not exist/i);
    expect(live.source).toBe('execution');
    expect(archived.source).toBe('archive');
    expect(archived.timeline).toEqual(live.timeline);
    expect(human.stdout).toContain(`history archive ${paymentId}#0000`);
    const listed = await new S3Client(clientConfig(runtime)).send(
      new ListObjectsV2Command({
        Bucket: bucketNames(runtime.names.stage).history,
        Prefix: `history/${day}/${paymentId}/`,
      }),
    );
    expect(listed.Contents?.map((c) => c.Key)).toEqual([`history/${day}/${paymentId}/run-0000.json`]);
  });

  it('reports a day the payments table no longer keeps from the archive, as the table reported it', async () => {
    // Prepare
    const { paymentId, day } = await finishedAndArchived();
    const context = createContext(
      { stage: runtime.names.stage, endpoint: runtime.endpoint, region: runtime.region },
      { clients: createClients({ endpoint: runtime.endpoint, region: runtime.region }) },
    );
    const report = async (archiveBefore: string) => {
      let text = '';
      const summary = await writeReport(context, {
        period: parsePeriod(day, day),
        format: 'csv',
        archiveBefore,
        write: (chunk) => {
          text += chunk;
        },
      });
      return { summary, line: text.split('\n').find((l) => l.startsWith(paymentId)) };
    };
    const fromTable = await report('1970-01-01');
    await expirePaymentItems(paymentId);
    // Act
    const fromArchive = await report('9999-12-31');
    // Assess
    expect(fromTable.line).toContain(',SUCCEEDED,');
    expect(fromArchive.line).toBe(fromTable.line);
    expect(fromArchive.summary.ledger.every((l) => l.matches)).toBe(true);
  });
});
