/**
 * Stripe-like idempotency: a key is scoped to the API key that used it; the first request's
 * response is stored and replayed for the same key and the same parameters; the same key with
 * other parameters (or another endpoint) is refused; a key whose request is still running is busy.
 * Only responses of requests that ran are stored: validation errors and 5xx are not, so a retry
 * gets a fresh attempt (as Stripe does).
 */

export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

export type IdempotencyDecision =
  | { readonly kind: 'new' }
  | { readonly kind: 'replay'; readonly response: StoredResponse }
  | { readonly kind: 'mismatch'; readonly firstRequest: string }
  | { readonly kind: 'in_progress' };

export interface IdempotencyRecord {
  readonly scope: string;
  readonly key: string;
  /** "METHOD /path" plus the canonical parameters. */
  readonly request: string;
  readonly storedAt: number;
  readonly response: StoredResponse;
}

/** Stripe forgets keys after 24 hours. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

const slot = (scope: string, key: string): string => `${scope}\u0000${key}`;

export class IdempotencyStore {
  private readonly done = new Map<string, IdempotencyRecord>();
  private readonly running = new Map<string, string>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly persist: (record: IdempotencyRecord) => void = () => {},
    private readonly ttlMs = IDEMPOTENCY_TTL_MS,
  ) {}

  /** Call before doing the work; on `new`, finish with complete() or release(). */
  begin(scope: string, key: string, request: string): IdempotencyDecision {
    const id = slot(scope, key);
    const stored = this.done.get(id);
    if (stored && this.now() - stored.storedAt < this.ttlMs) {
      return stored.request === request
        ? { kind: 'replay', response: stored.response }
        : { kind: 'mismatch', firstRequest: stored.request.split(' ', 2).join(' ') };
    }
    const runningRequest = this.running.get(id);
    if (runningRequest !== undefined) {
      return runningRequest === request
        ? { kind: 'in_progress' }
        : { kind: 'mismatch', firstRequest: runningRequest.split(' ', 2).join(' ') };
    }
    this.done.delete(id);
    this.running.set(id, request);
    return { kind: 'new' };
  }

  /** The work ran: store its response for replays. */
  complete(scope: string, key: string, response: StoredResponse): void {
    const id = slot(scope, key);
    const request = this.running.get(id);
    if (request === undefined) throw new Error(`idempotency key ${key} was not begun`);
    this.running.delete(id);
    const record: IdempotencyRecord = { scope, key, request, storedAt: this.now(), response };
    this.done.set(id, record);
    this.persist(record);
  }

  /** The work did not run (refused or failed before acting): the key is free again. */
  release(scope: string, key: string): void {
    this.running.delete(slot(scope, key));
  }

  /** Whether a request with this key is running now (for tests that race a second one against it). */
  inProgress(scope: string, key: string): boolean {
    return this.running.has(slot(scope, key));
  }

  /** Reloads a record from the journal. */
  restore(record: IdempotencyRecord): void {
    this.done.set(slot(record.scope, record.key), record);
  }
}
