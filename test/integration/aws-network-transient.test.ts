import { createServer, type Server, type Socket } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand as SdkGetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDocumentClient, GetCommand } from '../../core/aws/dynamodb';
import { isTransient } from '../../core/errors';

/**
 * A DynamoDB call whose connection is reset on every attempt (found by review of 146837f, the lean client):
 * the SDK's node-http-handler names ECONNRESET / EPIPE / ETIMEDOUT "TimeoutError" (on AWS_TRANSIENT_ERROR_NAMES),
 * so the step pipeline let Step Functions retry the step. The lean client throws AwsNetworkError, on no list:
 * the step pipeline wraps it as UnexpectedStepError (Reserve: hold released, payment FAILED; Charge/Settle:
 * DeadLetterCompensation) for a network blip the saga used to retry.
 */
let server: Server;
let endpoint: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.once('data', () => socket.resetAndDestroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  endpoint = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const credentials = { accessKeyId: 'AKIDREVIEW', secretAccessKey: 'review-secret' };
const get = new GetCommand({ TableName: 'review', Key: { pk: 'p#1' } });

async function failure(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('the call succeeded');
}

describe('a reset connection, after the client retries', () => {
  it('the SDK named it TimeoutError, a transient error the saga retries', async () => {
    // Prepare
    const sdk = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 2 }),
    );
    // Act
    const error = await failure(() =>
      sdk.send(new SdkGetCommand({ TableName: 'review', Key: { pk: 'p#1' } })),
    );
    // Assess
    expect({ name: (error as Error).name, transient: isTransient(error) }).toEqual({
      name: 'TimeoutError',
      transient: true,
    });
  }, 30_000);

  it('the lean client fails it as a transient error too', async () => {
    // Prepare
    const lean = new DynamoDocumentClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 2 });
    // Act
    const error = await failure(() => lean.send(get));
    // Assess
    expect({ name: (error as Error).name, transient: isTransient(error) }).toEqual({
      name: (error as Error).name,
      transient: true,
    });
  }, 30_000);
});
