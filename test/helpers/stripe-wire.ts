import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as it reached the wire. */
export interface WireRequest {
  readonly method: string;
  /** Path and query string, e.g. /v1/payment_intents?limit=100 */
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** The answer to the n-th request (0-based): JSON with a status, raw text, no answer, or a cut connection. */
export type WireAnswer =
  | { readonly status: number; readonly json: unknown; readonly headers?: Record<string, string> }
  | { readonly status: number; readonly text: string }
  | 'hang'
  | 'drop';

export interface StripeWire {
  /** The apiBase to give a Stripe client. */
  readonly url: string;
  readonly received: WireRequest[];
  close(): Promise<void>;
}

/** A scripted stand-in for api.stripe.com on 127.0.0.1 (a free port) that keeps every request it got. */
export async function startStripeWire(
  answer: (index: number, request: WireRequest) => WireAnswer = () => ({ status: 200, json: {} }),
): Promise<StripeWire> {
  const received: WireRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const wire = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const index = received.length;
      received.push(wire);
      const reply = answer(index, wire);
      if (reply === 'hang') {
        hanging.add(response);
        return;
      }
      if (reply === 'drop') {
        request.socket.destroy();
        return;
      }
      const body = 'json' in reply ? JSON.stringify(reply.json) : reply.text;
      response.writeHead(reply.status, {
        'content-type': 'application/json',
        'request-id': `req_${index}`,
        ...('headers' in reply ? reply.headers : {}),
      });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
