import { channel } from 'node:diagnostics_channel';
import type { InProcessEndpoint } from '../../core/aws/http';
import type { AwsJsonService } from './aws-json-service';
import { awsErrorAnswer, jsonAnswer, MAX_BODY_BYTES } from './json-answer';
import type { InProcessAnswer, InProcessRequest, RawAwsService } from './raw-service';
import { requestContextOf } from './request-context';

/**
 * Where every exchange the edge serves in process is published as it arrives ({@link InProcessExchanged}),
 * as `http.server.request.start` shows those that come over HTTP: the request counters of the benches
 * and of test/helpers/dynamo-writes.ts read both, with the same moment of counting.
 */
export const IN_PROCESS_CHANNEL = 'paysaga:edge:in-process';

export interface InProcessExchanged {
  /** The edge's port (one process may run several runtimes). */
  readonly port: number;
  readonly request: InProcessRequest;
  /** Its answer (never rejects); settled before the caller sees it. */
  readonly answered: Promise<InProcessAnswer>;
}

const exchanged = channel(IN_PROCESS_CHANNEL);

interface Routes {
  readonly port: number;
  readonly region?: string;
  readonly jsonServices: ReadonlyMap<string, AwsJsonService>;
  readonly rawServices: ReadonlyMap<string, RawAwsService>;
  readonly onInternalError?: (error: unknown, target: string) => void;
}

/**
 * The edge's routing for a client in this process (the handlers the runtime runs): by X-Amz-Target to a
 * JSON-protocol service, or to a raw service that answers without a socket (DynamoDB). Gives how to submit
 * the request (nothing is submitted yet), or undefined for what only HTTP serves. Errors answer as over
 * HTTP: a service's error in its AWS shape, anything else logged and answered 500.
 */
export function inProcessRoute(routes: Routes) {
  return (request: InProcessRequest): (() => Promise<InProcessAnswer>) | undefined => {
    const target = request.headers['x-amz-target'];
    if (request.method !== 'POST' || target === undefined) return undefined;
    const dot = target.lastIndexOf('.');
    const prefix = dot < 0 ? target : target.slice(0, dot);
    const contentType = request.headers['content-type'] ?? 'application/x-amz-json-1.1';
    const raw = routes.rawServices.get(prefix);
    const json = raw ? undefined : routes.jsonServices.get(prefix);
    const rawExchange = raw?.exchange?.bind(raw);
    let answer: () => Promise<InProcessAnswer>;
    if (rawExchange) answer = () => rawExchange(request);
    else if (json) {
      if (request.body.length > MAX_BODY_BYTES)
        return () =>
          Promise.resolve(
            awsErrorAnswer(contentType, 'SerializationException', 'request body too large', 413),
          );
      const context = requestContextOf(request.headers, routes.region);
      answer = () => jsonAnswer(json, target.slice(dot + 1), request.body, contentType, context);
    } else return undefined;
    return () => submit(routes, request, target, contentType, answer);
  };
}

/** Submits a routed request: its answer, an internal failure answered 500; published as it arrives. */
function submit(
  routes: Routes,
  request: InProcessRequest,
  target: string,
  contentType: string,
  answer: () => Promise<InProcessAnswer>,
): Promise<InProcessAnswer> {
  const settled = answer().catch((error: unknown) => {
    routes.onInternalError?.(error, target);
    return awsErrorAnswer(
      contentType,
      'InternalFailure',
      'the local runtime failed to process the request; see its log',
      500,
    );
  });
  if (exchanged.hasSubscribers)
    exchanged.publish({ port: routes.port, request, answered: settled } satisfies InProcessExchanged);
  return settled;
}

/** The edge as core/aws/http.ts's in-process endpoint for its origin (serveInProcess). */
export function inProcessEndpoint(edge: {
  route(request: InProcessRequest): (() => Promise<InProcessAnswer>) | undefined;
}): InProcessEndpoint {
  return (method, url, headers, body) =>
    edge.route({
      method,
      url: `${url.pathname}${url.search}`,
      headers: lowerCaseNames(headers),
      body:
        typeof body === 'string'
          ? Buffer.from(body)
          : Buffer.from(body.buffer, body.byteOffset, body.byteLength),
    });
}

/** Header names as Node's HTTP server gives them (the lean clients sign lower-case names already). */
function lowerCaseNames(headers: Record<string, string>): Record<string, string> {
  const named: Record<string, string> = {};
  for (const name in headers) named[name.toLowerCase()] = headers[name] as string;
  return named;
}
