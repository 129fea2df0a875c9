import { DETAIL_TYPES } from '../../events/envelope';
import { PutEventsCommand, type PutEventsCommandOutput } from '../aws/eventbridge';

/**
 * Putting a recorded PaymentRequested on the bus, shared by the request's fast
 * path (api-submit) and the outbox (publish-outbox): one PutEvents entry under
 * the client's source, and one reading of its failures. Only a failure that
 * may pass on its own is "transient"; the rest need a person.
 */

/** Puts one PaymentRequested on the bus under the client's source; returns the event id. */
export type PublishPaymentRequested = (source: string, detail: string) => Promise<string>;

/** The bus failed or was busy: the same entry may go through later (client retry or the outbox). */
export class PublishFailedError extends Error {
  override readonly name = 'PublishFailedError';
}

/** The bus refused the entry for a reason that does not pass by itself (permissions, validation, no bus). */
export class PublishRefusedError extends Error {
  override readonly name = 'PublishRefusedError';
}

/** Exceptions PutEvents (or the SDK around it) throws that may succeed when retried. */
const TRANSIENT_ERROR_NAMES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'InternalException',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'AbortError',
]);

/** A failed entry's ErrorCode that may succeed when retried; any other code is a refusal. */
const TRANSIENT_ENTRY_CODES: ReadonlySet<string> = new Set(['InternalFailure', 'ThrottlingException']);

interface SdkErrorShape {
  readonly name?: string;
  readonly code?: string;
  readonly $fault?: 'client' | 'server';
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** Transient: throttling, a 5xx, a server fault, or no HTTP answer at all (network, timeout). */
export function isTransientPublishError(error: unknown): boolean {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const status = shape.$metadata?.httpStatusCode;
  if (shape.name && TRANSIENT_ERROR_NAMES.has(shape.name)) return true;
  if (shape.$retryable) return true;
  if (shape.$fault === 'server' || (status !== undefined && status >= 500)) return true;
  // No HTTP status: the request never got an answer (ECONNRESET, DNS, socket timeout).
  return status === undefined && shape.$fault === undefined;
}

/** The PutEvents error as the front door and the outbox read it. */
export function publishErrorOf(error: unknown): PublishFailedError | PublishRefusedError {
  const name = (error as Error | undefined)?.name ?? 'Error';
  return isTransientPublishError(error)
    ? new PublishFailedError(`PutEvents failed: ${name}`, { cause: error })
    : new PublishRefusedError(`PutEvents refused: ${name}`, { cause: error });
}

/** PutEvents to one bus, its failures read as PublishFailedError (retry) or PublishRefusedError (operator). */
export function eventBridgePublisher(
  client: { send(command: PutEventsCommand): Promise<PutEventsCommandOutput> },
  eventBusName: string,
): PublishPaymentRequested {
  return async (source, detail) => {
    let result: PutEventsCommandOutput;
    try {
      result = await client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: eventBusName,
              Source: source,
              DetailType: DETAIL_TYPES.paymentRequested,
              Detail: detail,
            },
          ],
        }),
      );
    } catch (error) {
      throw publishErrorOf(error);
    }
    const entry = result.Entries?.[0];
    if (result.FailedEntryCount || !entry?.EventId) {
      const code = entry?.ErrorCode ?? 'no event id';
      const message = `PutEvents failed the entry: ${code}`;
      throw TRANSIENT_ENTRY_CODES.has(code) || !entry?.ErrorCode
        ? new PublishFailedError(message)
        : new PublishRefusedError(message);
    }
    return entry.EventId;
  };
}
