import { AwsServiceError } from './errors';
import { type AwsClientConfig, AwsJsonClient, type JsonService } from './json-client';

/**
 * The SDK's calling shape over the lean transport: `client.send(new XCommand(input))`,
 * so call sites change only their import lines. Each service module (./sqs.ts,
 * ./sfn.ts, ...) declares its commands (operation name, how its answer becomes
 * the SDK's output: dates as Date, blobs as Uint8Array) and the error classes
 * callers test with `instanceof`.
 */
export abstract class AwsCommand<Input, Output> {
  /** Only for type inference of send()'s answer. */
  declare readonly outputType?: Output;
  abstract readonly operation: string;

  constructor(readonly input: Input) {}

  /** The request body as the service reads it (blobs as base64). */
  toWire(): unknown {
    return this.input;
  }

  /** The service's JSON answer as the SDK shapes it. */
  fromWire(answer: Record<string, unknown>): Output {
    return answer as Output;
  }
}

/**
 * A command class for one operation whose answer needs no conversion beyond
 * `fromWire` (default: as sent): `export const XCommand = jsonCommand<In, Out>('X')`.
 */
export function jsonCommand<Input, Output>(
  operation: string,
  fromWire?: (answer: Record<string, unknown>, input: Input) => Output,
) {
  return class extends AwsCommand<Input, Output> {
    readonly operation = operation;
    override fromWire(answer: Record<string, unknown>): Output {
      return fromWire ? fromWire(answer, this.input) : (answer as Output);
    }
  };
}

export interface ServiceErrorOptions {
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly requestId?: string };
  readonly details?: Record<string, unknown>;
}

export type ServiceErrorClass = new (options?: ServiceErrorOptions) => AwsServiceError;

/**
 * An error class for one service code, constructed as the SDK's are
 * (`new ExecutionAlreadyExists({ message, $metadata })`), thrown by the client
 * when the service answers that code, so `instanceof` keeps working.
 */
export function serviceErrorClass(code: string): ServiceErrorClass {
  return class extends AwsServiceError {
    constructor(options: ServiceErrorOptions = {}) {
      super(
        code,
        options.message ?? '',
        options.$metadata?.httpStatusCode ?? 400,
        options.$metadata?.requestId,
        options.details,
      );
    }
  };
}

type Handler = (args: { input: unknown }) => Promise<{ output: unknown }>;
/** An SDK-shaped middleware: wraps each call; `context.commandName` is e.g. "SendMessageCommand". */
export type ServiceMiddleware = (next: Handler, context: { readonly commandName: string }) => Handler;

/** The transport's settings; the region may also be a provider (payctl passes the SDK's, profiles included). */
export interface ServiceClientConfig extends Omit<AwsClientConfig, 'region'> {
  readonly region?: string | (() => Promise<string>) | undefined;
}

/** A JSON-protocol service client: lazy (no region or credentials needed until the first call). */
export class JsonServiceClient {
  private transport: Promise<AwsJsonClient> | undefined;
  private readonly middlewares: ServiceMiddleware[] = [];

  /** The SDK's hook, as much of it as paysaga uses (bench/cost.ts counts calls): the first added is outermost. */
  readonly middlewareStack = {
    add: (middleware: ServiceMiddleware, _options?: { readonly step?: string; readonly name?: string }) => {
      this.middlewares.push(middleware);
    },
  };
  /** As the SDK's `client.config`: the region calls are signed for; the custom endpoint, when one was given. */
  readonly config: {
    readonly region: () => Promise<string>;
    readonly endpoint?: () => Promise<{ protocol: string; hostname: string; port?: number; path: string }>;
  };

  constructor(
    private readonly service: JsonService,
    private readonly settings: ServiceClientConfig,
    private readonly errors: Readonly<Record<string, ServiceErrorClass>>,
  ) {
    const endpoint = settings.endpoint === undefined ? undefined : new URL(settings.endpoint);
    this.config = {
      region: async () => (await this.client()).region,
      ...(endpoint && {
        endpoint: async () => ({
          protocol: endpoint.protocol,
          hostname: endpoint.hostname,
          ...(endpoint.port && { port: Number(endpoint.port) }),
          path: endpoint.pathname,
        }),
      }),
    };
  }

  private client(): Promise<AwsJsonClient> {
    this.transport ??= (async () => {
      const { region } = this.settings;
      const resolved = typeof region === 'function' ? await region() : region;
      return new AwsJsonClient(this.service, { ...this.settings, region: resolved });
    })();
    // A failed resolution (no region) is not kept: the next call tries again.
    this.transport.catch(() => {
      this.transport = undefined;
    });
    return this.transport;
  }

  /** Nothing to release (sockets are shared and kept alive); there for the SDK's shape. */
  destroy(): void {}

  async send<Input, Output>(command: AwsCommand<Input, Output>): Promise<Output> {
    let handler: Handler = async () => ({ output: await this.once(command) });
    for (let i = this.middlewares.length - 1; i >= 0; i--) {
      handler = (this.middlewares[i] as ServiceMiddleware)(handler, {
        commandName: `${command.operation}Command`,
      });
    }
    const { output } = await handler({ input: command.input });
    return output as Output;
  }

  private async once<Input, Output>(command: AwsCommand<Input, Output>): Promise<Output> {
    let answer: Record<string, unknown>;
    try {
      answer = await (await this.client()).call(command.operation, command.toWire());
    } catch (error) {
      throw this.typed(error);
    }
    return command.fromWire(answer);
  }

  /** An error with a known code becomes its class (its fields and stack kept). */
  private typed(error: unknown): unknown {
    if (!(error instanceof AwsServiceError)) return error;
    const ErrorClass = this.errors[error.name];
    if (!ErrorClass) return error;
    const typed = new ErrorClass({
      message: error.message,
      $metadata: {
        httpStatusCode: error.$metadata.httpStatusCode,
        ...(error.$metadata.requestId && { requestId: error.$metadata.requestId }),
      },
      details: error.details,
    });
    typed.stack = error.stack;
    return typed;
  }
}

/** Epoch seconds (as the JSON protocols send timestamps) to Date, as the SDK does; other values unchanged. */
export const dateOf = (value: unknown): Date | undefined =>
  typeof value === 'number'
    ? new Date(Math.round(value * 1000))
    : typeof value === 'string'
      ? new Date(value)
      : undefined;

/** Replaces the named timestamp fields of `record` by Dates. */
export function withDates<T>(record: Record<string, unknown>, fields: readonly string[]): T {
  const copy: Record<string, unknown> = { ...record };
  for (const field of fields) {
    if (copy[field] !== undefined) copy[field] = dateOf(copy[field]);
  }
  return copy as T;
}
