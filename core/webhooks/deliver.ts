import { WEBHOOKS } from '../config/webhooks';
import { type AdmissionSettings, admit } from './admission';
import { type RetrySchedule, retryDelaySeconds, retrySchedule, retryWindowSpent } from './backoff';
import type { WebhookDeliveryStore } from './delivery-store';
import type { WebhookEndpointStore } from './endpoint-store';
import type { AttemptRecord, DeliveryMessage, WebhookEndpointRecord } from './model';
import type { PostOptions, PostResult } from './post';
import type { SecretCipher } from './secret-cipher';
import { signatureHeader } from './signature';
import type { UrlPolicyMode } from './url-policy';

export interface DeliverSettings extends AdmissionSettings {
  readonly timeoutMs: number;
  readonly schedule: RetrySchedule;
  readonly mode: UrlPolicyMode;
}

export interface DeliverDeps {
  readonly endpoints: Pick<
    WebhookEndpointStore,
    'get' | 'health' | 'claimSlot' | 'releaseSlot' | 'recordFailure' | 'recordSuccess'
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

/** `deferred`: waiting for a back-off (its own or its endpoint's); `busy`: every slot of its endpoint was taken, tried again shortly. */
export type DeliverOutcome =
  | 'delivered'
  | 'retrying'
  | 'dead'
  | 'deferred'
  | 'busy'
  | 'duplicate'
  | 'cancelled';

/** The delivery settings of core/config/webhooks.ts, every duration multiplied by `scale` (tests; 1 on AWS). */
export function deliverSettings(scale: number, mode: UrlPolicyMode): DeliverSettings {
  // Never below 1 s: a loaded test machine answers a local receiver slower than 10 ms.
  const timeoutMs = Math.max(1000, Math.round(WEBHOOKS.attemptTimeoutMs * scale));
  const { slotsPerEndpoint, leaseMarginSeconds, busyDelaySeconds } = WEBHOOKS.isolation;
  return {
    timeoutMs,
    schedule: retrySchedule(scale),
    mode,
    slots: slotsPerEndpoint,
    leaseSeconds: timeoutMs / 1000 + Math.max(1, leaseMarginSeconds * scale),
    // An SQS delay is whole seconds: not scaled.
    busyDelaySeconds,
  };
}

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
 * One delivery message: attempt the (event, endpoint) delivery if its
 * endpoint admits it now (core/webhooks/admission.ts: a free slot, outside
 * the endpoint's back-off; else the same message is requeued for later, not
 * an attempt), log the attempt, and on failure either requeue it after its
 * back-off (exponential, full jitter) or, once its retry window is spent, put
 * it on the webhook DLQ with the reason. Throws only when storage or a queue
 * fails (the message is then retried by SQS and, past maxReceiveCount,
 * dead-lettered).
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
  // The endpoint's admission first: a delivery sent away (busy, back-off) costs one read and its requeue.
  const admission = await admit(deps, message.endpointId, now, deps.settings);
  if (!admission.attempt) {
    // The same message (event id, attempt count, retry window) comes back later: nothing was attempted.
    await waitThenRetry(deps, message, admission.seconds);
    return admission.why === 'busy' ? 'busy' : 'deferred';
  }
  const { held, failures } = admission;
  let released = false;
  try {
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
      // The slot first: the delivery log's two writes need not hold it.
      await deps.endpoints.recordSuccess(endpoint.endpointId, held);
      released = true;
      await deps.deliveries.recordAttempt(attempt, endpoint.url, 'delivered');
      return 'delivered';
    }
    // The endpoint's back-off runs from when the failure is known (a timeout ends 10 s after `now`).
    const backOff = retryDelaySeconds(deps.settings.schedule, failures + 1, deps.random);
    await deps.endpoints.recordFailure(endpoint.endpointId, at(deps.now(), backOff).toISOString(), held);
    released = true;
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
  } finally {
    // Not attempted after all (cancelled, duplicate), or storage or a queue failed before the outcome
    // was recorded: free the slot now (if this write is lost too, its lease runs out).
    if (!released) await deps.endpoints.releaseSlot(message.endpointId, held).catch(() => undefined);
  }
}
