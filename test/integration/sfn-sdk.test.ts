import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ExecutionLimitExceeded,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  InvalidArn,
  InvalidExecutionInput,
  InvalidName,
  InvalidToken,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  ValidationException,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../local/edge/aws-json-service';
import { StepFunctionsService } from '../../local/sfn/service';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const MACHINE = 'sfn-sdk-test';
const MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${MACHINE}`;

const ASL = {
  StartAt: 'Work',
  States: {
    Work: {
      Type: 'Task',
      Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:work`,
      ResultPath: '$.work',
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
  },
};

/**
 * Serves the service the way the edge does: X-Amz-Target "<prefix>.<Operation>",
 * AwsServiceError -> `{__type, message}` with its status.
 */
function serve(service: StepFunctionsService): Promise<{ server: Server; endpoint: string }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const [prefix, operation = ''] = target.split('.');
      const reply = (status: number, body: unknown): void => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify(body));
      };
      if (prefix !== service.targetPrefix) {
        reply(400, { __type: 'UnknownOperationException', message: `no service for ${target}` });
        return;
      }
      const input = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown) : {};
      service.handle(operation, input, { region: REGION, accountId: ACCOUNT }).then(
        (output) => reply(200, output ?? {}),
        (error: unknown) => {
          if (error instanceof AwsServiceError)
            reply(error.statusCode, { __type: error.type, message: error.message });
          else reply(500, { __type: 'InternalFailure', message: String(error) });
        },
      );
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, endpoint: `http://127.0.0.1:${port}` });
    });
  });
}

describe('StepFunctionsService through the AWS SDK (SFNClient)', () => {
  let service: StepFunctionsService;
  let server: Server;
  let endpoint: string;
  let client: SFNClient;
  let failNext = false;

  beforeAll(async () => {
    service = new StepFunctionsService({
      region: REGION,
      accountId: ACCOUNT,
      stateMachines: [{ name: MACHINE, definition: ASL }],
      maxOpenExecutions: 50,
      invokeTask: async (invocation) => {
        if (invocation.executionName.startsWith('hang-')) return new Promise(() => undefined);
        if (failNext) throw Object.assign(new Error('worker crashed'), { name: 'WorkerError' });
        return { done: invocation.attempt };
      },
    });
    await service.start();
    ({ server, endpoint } = await serve(service));
    client = new SFNClient({
      endpoint,
      region: REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    client.destroy();
    await service.stop();
    await new Promise((resolve) => server.close(resolve));
  });

  async function errorOf(promise: Promise<unknown>): Promise<SFNServiceException> {
    const error = await promise.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(SFNServiceException);
    return error as SFNServiceException;
  }

  it('runs an execution and returns dates as Date objects and AWS-shaped history events', async () => {
    // Prepare
    const name = `sdk-${randomUUID()}`;
    const before = Date.now();

    // Act
    const started = await client.send(
      new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, name, input: '{"a":1}' }),
    );
    await service.whenSettled(started.executionArn ?? '');
    const described = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    const history = await client.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));
    const listed = await client.send(
      new ListExecutionsCommand({ stateMachineArn: MACHINE_ARN, maxResults: 1000 }),
    );
    const machines = await client.send(new ListStateMachinesCommand({}));

    // Assess
    expect(started.startDate).toBeInstanceOf(Date);
    expect(started.startDate?.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(described).toMatchObject({ name, status: 'SUCCEEDED', output: '{"a":1,"work":{"done":1}}' });
    expect(described.stopDate).toBeInstanceOf(Date);
    expect(described.redriveStatus).toBe('NOT_REDRIVABLE');
    expect(history.events?.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(history.events?.[0]?.timestamp).toBeInstanceOf(Date);
    expect(history.events?.[0]?.timestamp?.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(history.events?.[2]?.lambdaFunctionScheduledEventDetails?.input).toBe('{"a":1}');
    expect(listed.executions?.find((execution) => execution.name === name)?.startDate).toBeInstanceOf(Date);
    expect(machines.stateMachines?.[0]).toMatchObject({ name: MACHINE, type: 'STANDARD' });
    expect(machines.stateMachines?.[0]?.creationDate).toBeInstanceOf(Date);
  });

  it('turns service errors into the SDK exception classes with status 400', async () => {
    // Prepare
    const name = `sdk-${randomUUID()}`;
    await client.send(new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, name, input: '{}' }));
    const arn = `arn:aws:states:${REGION}:${ACCOUNT}:execution:${MACHINE}:${name}`;
    await service.whenSettled(arn);

    // Act
    const cases = [
      [client.send(new DescribeExecutionCommand({ executionArn: `${arn}-nope` })), ExecutionDoesNotExist],
      [
        client.send(new StartExecutionCommand({ stateMachineArn: `${MACHINE_ARN}-nope` })),
        StateMachineDoesNotExist,
      ],
      [client.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:sqs:x' })), InvalidArn],
      [client.send(new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, name: 'a/b' })), InvalidName],
      [
        client.send(new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, name, input: '{}' })),
        ExecutionAlreadyExists,
      ],
      [
        client.send(new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, input: '{' })),
        InvalidExecutionInput,
      ],
      [client.send(new RedriveExecutionCommand({ executionArn: arn })), ExecutionNotRedrivable],
      [client.send(new ListExecutionsCommand({})), ValidationException],
      [
        client.send(new ListExecutionsCommand({ stateMachineArn: MACHINE_ARN, nextToken: 'garbage' })),
        InvalidToken,
      ],
    ] as const;
    const errors = await Promise.all(cases.map(([promise]) => errorOf(promise)));

    // Assess
    errors.forEach((error, index) => {
      const expected = cases[index]?.[1];
      expect(error).toBeInstanceOf(expected);
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(error.message.length).toBeGreaterThan(10);
    });
  });

  it('stops and redrives through the SDK, and says ExecutionLimitExceeded past the limit', async () => {
    // Prepare
    const hanging = await client.send(
      new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, name: `hang-${randomUUID()}`, input: '{}' }),
    );
    failNext = true;
    const failing = await client.send(
      new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, name: `sdk-${randomUUID()}`, input: '{}' }),
    );
    const failed = await service.whenSettled(failing.executionArn ?? '');
    failNext = false;

    // Act
    const stopped = await client.send(
      new StopExecutionCommand({ executionArn: hanging.executionArn, error: 'Ops', cause: 'test' }),
    );
    const redrive = await client.send(new RedriveExecutionCommand({ executionArn: failing.executionArn }));
    const redriven = await service.whenSettled(failing.executionArn ?? '');
    const hangers = await Promise.all(
      Array.from({ length: 50 }, () =>
        client.send(
          new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, name: `hang-${randomUUID()}` }),
        ),
      ),
    );
    const limited = await errorOf(
      client.send(new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, name: `sdk-${randomUUID()}` })),
    );

    // Assess
    expect(failed).toMatchObject({ status: 'FAILED', error: 'WorkerError' });
    expect(stopped.stopDate).toBeInstanceOf(Date);
    expect(redrive.redriveDate).toBeInstanceOf(Date);
    expect(redriven).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(limited).toBeInstanceOf(ExecutionLimitExceeded);
    await Promise.all(
      hangers.map((h) => client.send(new StopExecutionCommand({ executionArn: h.executionArn }))),
    );
  });

  it('answers an unknown operation with UnknownOperationException', async () => {
    // Act
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'x-amz-target': 'AWSStepFunctions.CreateActivity',
        'content-type': 'application/x-amz-json-1.0',
      },
      body: '{}',
    });

    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });
});
