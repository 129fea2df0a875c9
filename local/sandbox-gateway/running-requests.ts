import type { IdempotencyStore } from './idempotency-store';
import type { ApiResponse } from './stripe-api';

const slot = (scope: string, key: string): string => `${scope}\u0000${key}`;

/**
 * Requests still running at the gateway under an idempotency key (pm_sandbox_inprogress_<n>), as after a
 * client attempt that crashed or timed out while Stripe kept working: the request does its work at once, but
 * its key stays busy, so every attempt with the key is answered 409 until the request is finished; from then
 * on its answer is replayed, as Stripe does once the first request completes.
 */
export class RunningRequests {
  private readonly running = new Map<string, ApiResponse>();

  constructor(private readonly idempotency: IdempotencyStore) {}

  /** Starts the request behind the key unless one is already running or done; `work` runs at most once. */
  start(scope: string, key: string, request: string, work: () => ApiResponse): void {
    const id = slot(scope, key);
    if (this.running.has(id)) return;
    if (this.idempotency.begin(scope, key, request).kind !== 'new') return;
    this.running.set(id, work());
  }

  /** Finishes the running request, if any: what ran is stored for replay, a refusal frees the key. */
  finish(scope: string, key: string): void {
    const id = slot(scope, key);
    const response = this.running.get(id);
    if (!response) return;
    this.running.delete(id);
    if (response.status === 200 || response.status === 402) this.idempotency.complete(scope, key, response);
    else this.idempotency.release(scope, key);
  }
}
