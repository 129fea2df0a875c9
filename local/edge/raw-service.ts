import type { IncomingMessage, ServerResponse } from 'node:http';

/** One request from a client in this process (a handler the runtime runs), as the edge would read it. */
export interface InProcessRequest {
  readonly method: string;
  /** Path and query, as `IncomingMessage.url`. */
  readonly url: string;
  /** Names in lower case, as Node's HTTP server gives them. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** The answer to an in-process request: what the HTTP client would have read (header names lower case). */
export interface InProcessAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/**
 * A service the edge hands the untouched HTTP exchange to (DynamoDB via
 * dynalite, SQS via fauxqs): they speak the wire protocol themselves, so the
 * edge only routes by the `X-Amz-Target` prefix.
 */
export interface RawAwsService {
  /** e.g. "DynamoDB_20120810", "AmazonSQS". */
  readonly targetPrefix: string;
  handleRaw(request: IncomingMessage, response: ServerResponse): void | Promise<void>;
  /** The same exchange without a socket, for clients in this process; absent: they use HTTP. */
  exchange?(request: InProcessRequest): Promise<InProcessAnswer>;
}
