import { WEBHOOKS } from '../config/webhooks';
import { type RetrySchedule, retryDelaySeconds, retryWindowSpent } from './backoff';
import type { WebhookDeliveryStore } from './delivery-store';
import type { WebhookEndpointStore } from './endpoint-store';
import type { AttemptRecord, DeliveryMessage, WebhookEndpointRecord } from './model';
import type { PostOptions, PostResult } from './post';
import type { SecretCipher } from './secret-cipher';
import { signatureHeader } from './signature';
import type { UrlPolicyMode } from './url-policy';

export interface DeliverSettings {
  readonly timeoutMs: number;
  readonly schedule: RetrySchedule;
  readonly mode: UrlPolicyMode;
}

export interface DeliverDeps {
  readonly endpoints: Pick<
    WebhookEndpointStore,
    'get' | 'health' | 'claimProbe' | 'recordFailure' | 'recordSuccess'
  >;
  readonly deliveries: Pick<WebhookDeliveryStore, 'getEvent' | 'getDelivery' | 'recordAttempt' | 'setStatus'>;
  readonly cipher: Pick<SecretCipher, 'decrypt'>;
  /** Puts the message back on the delivery queue, visible after `delaySeconds` (<= 900). */
  readonly requeue: (message: DeliveryMessage, delaySeconds: number) => Promise<void>;
  /** Puts the message on the webhook DLQ (its `deadLetter` says why). */
  readonly deadLetter: (message: DeliveryMessage) => Promise<void>;
  readonly post: (options: PostOptions) => Promise<PostResult>;
  readonly settings: DeliverSettings;
  readonly now: () => Date;
  readonly random?: () => number;
}

export type DeliverOutcome = 'delivered' | 'retrying' | 'dead' | 'deferred' | 'duplicate' | 'cancelled';

const at = (date: Date, plusSeconds: number) => new Date(date.getTime() + plusSeconds * 1000);

/** Requeues for a wait that may exceed SQS's 15 minutes: hops of at most 900 s, `notBefore` carries the rest. */
async function waitThenRetry(deps: DeliverDeps, message: DeliveryMessage, seconds: number): Promise<void> {
  const now = deps.now();
  const delay = Math.min(WEBHOOKS.maxQueueDelaySeconds, Math.max(0, Math.round(seconds)));
  const notBefore = seconds > delay ? at(now, seconds).toISOString() : undefined;
  const { notBefore: _old, ...rest } = message;
  await deps.requeue({ ...rest, ...(notBefore && { notBefore }) }, delay);
}

/** The secrets that sign now: the current one, and the previous one until its overlap ends. */
async function activeSecrets(
  deps: DeliverDeps,
  endpoint: WebhookEndpointRecord,
  now: Date,
): Promise<string[]> {
  const active = endpoint.secrets.filter(
    (secret) => !secret.expiresAt || Date.parse(secret.expiresAt) > now.getTime(),
  );
  return Promise.all(active.map((secret) => deps.cipher.decrypt(endpoint.endpointId, secret.ciphertext)));
}

/**
 * Whether this delivery may attempt now. A healthy endpoint (no recent
 * failure) is attempted at once, in parallel with anything else. A failing
 * endpoint waits for its own back-off and is then probed by ONE attempt at a
 * time (a lease on its health item): a hanging or failing endpoint costs one
 * attempt per back-off step, whatever number of its deliveries is waiting,
 * and never the attempts of other endpoints. Answers the seconds to wait, or 0.
 */
async function gate(
  deps: DeliverDeps,
  endpointId: string,
  now: Date,
): Promise<{ readonly wait: number; readonly failures: number }> {
  const health = await deps.endpoints.health(endpointId);
  const failures = health?.consecutiveFailures ?? 0;
  if (failures === 0) return { wait: 0, failures };
  const next = health?.nextAttemptAt ? Date.parse(health.nextAttemptAt) : 0;
  if (next > now.getTime()) return { wait: (next - now.getTime()) / 1000, failures };
  const leaseSeconds = deps.settings.timeoutMs / 1000 + 1;
  const claimed = await deps.endpoints.claimProbe(
    endpointId,
    now.toISOString(),
    at(now, leaseSeconds).toISOString(),
  );
  return { wait: claimed ? 0 : leaseSeconds, failures };
}

/**
 * One delivery message: attempt the (event, endpoint) delivery, log the
 * attempt, and on failure either requeue it after its back-off (exponential,
 * full jitter) or, once its retry window is spent, put it on the webhook DLQ
 * with the reason. Throws only when storage or a queue fails (the message is
 * then retried by SQS and, past maxReceiveCount, dead-lettered).
 */
export async function deliver(deps: DeliverDeps, received: DeliveryMessage): Promise<DeliverOutcome> {
  const now = deps.now();
  // A redriven dead letter starts a new round of attempts; a long back-off's hop waits on.
  const message: DeliveryMessage = received.deadLetter
    ? { ...received, deadLetter: undefined, firstAttemptAt: undefined, notBefore: undefined, attempt: 0 }
    : received;
  if (message.notBefore && Date.parse(message.notBefore) > now.getTime()) {
    // A long back-off's next hop.
    await waitThenRetry(deps, message, (Date.parse(message.notBefore) - now.getTime()) / 1000);
    return 'deferred';
  }
  const [event, endpoint] = await Promise.all([
    deps.deliveries.getEvent(message.eventId),
    deps.endpoints.get(message.clientId, message.endpointId),
  ]);
  if (!event || !endpoint) {
    await deps.deliveries.setStatus(
      message.eventId,
      message.endpointId,
      endpoint?.url ?? '',
      'cancelled',
      now.toISOString(),
      {
        reason: event ? 'the endpoint was deleted' : 'the event is not recorded',
      },
    );
    return 'cancelled';
  }
  if (!message.resentBy && message.attempt === 0) {
    const delivery = await deps.deliveries.getDelivery(message.eventId, message.endpointId);
    if (delivery?.status === 'delivered') return 'duplicate';
  }
  const { wait, failures } = await gate(deps, endpoint.endpointId, now);
  if (wait > 0) {
    await waitThenRetry(deps, message, wait);
    return 'deferred';
  }

  const t = Math.floor(now.getTime() / 1000);
  const secrets = await activeSecrets(deps, endpoint, now);
  const result = await deps.post({
    url: endpoint.url,
    body: event.body,
    headers: {
      [WEBHOOKS.headers.signature]: signatureHeader(secrets, t, event.body),
      [WEBHOOKS.headers.eventId]: event.eventId,
      [WEBHOOKS.headers.eventType]: event.type,
    },
    timeoutMs: deps.settings.timeoutMs,
    maxBodyBytes: WEBHOOKS.responseBodyMaxBytes,
    mode: deps.settings.mode,
  });
  const delivered = result.statusCode !== undefined && result.statusCode >= 200 && result.statusCode < 300;
  const attempt: AttemptRecord = {
    eventId: event.eventId,
    endpointId: endpoint.endpointId,
    attempt: message.attempt + 1,
    at: now.toISOString(),
    latencyMs: result.latencyMs,
    ...(result.statusCode !== undefined && { statusCode: result.statusCode }),
    ...(result.error !== undefined
      ? { error: result.error }
      : !delivered && { error: `HTTP ${result.statusCode}` }),
    ...(result.responseBody !== undefined && { responseBody: result.responseBody }),
    ...(message.resentBy && { resentBy: message.resentBy }),
  };
  const firstAttemptAt = message.firstAttemptAt ?? now.toISOString();
  if (delivered) {
    await deps.deliveries.recordAttempt(attempt, endpoint.url, 'delivered');
    await deps.endpoints.recordSuccess(endpoint.endpointId);
    return 'delivered';
  }
  await deps.endpoints.recordFailure(
    endpoint.endpointId,
    at(now, retryDelaySeconds(deps.settings.schedule, failures + 1, deps.random)).toISOString(),
  );
  if (retryWindowSpent(deps.settings.schedule, new Date(firstAttemptAt), now)) {
    const reason = `not delivered after ${attempt.attempt} attempts since ${firstAttemptAt}; last: ${attempt.error}`;
    await deps.deliveries.recordAttempt(attempt, endpoint.url, 'dead');
    await deps.deadLetter({
      ...message,
      attempt: attempt.attempt,
      firstAttemptAt,
      deadLetter: { reason, at: now.toISOString() },
    });
    return 'dead';
  }
  await deps.deliveries.recordAttempt(attempt, endpoint.url, 'retrying');
  await waitThenRetry(
    deps,
    { ...message, attempt: attempt.attempt, firstAttemptAt },
    retryDelaySeconds(deps.settings.schedule, attempt.attempt, deps.random),
  );
  return 'retrying';
}
