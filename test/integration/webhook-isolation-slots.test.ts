import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdmissionSettings, admit } from '../../core/webhooks/admission';
import { type DeliverDeps, deliver } from '../../core/webhooks/deliver';
import { WebhookEndpointStore } from '../../core/webhooks/endpoint-store';
import type { AttemptRecord, DeliveryMessage } from '../../core/webhooks/model';
import type { PostResult } from '../../core/webhooks/post';
import { type LocalDynamo, startDynalite } from '../helpers/dynalite';

/**
 * An endpoint's attempt slots (core/webhooks/admission.ts, slots.ts) on
 * dynalite, with the store's real conditional writes: at most `slots`
 * attempts in flight, a release frees a slot, a lease that ran out frees it
 * too (an attempt that crashed), and a late release never frees a slot that
 * was taken again. Then deliver(): a busy delivery is requeued as it came and
 * is not an attempt; a storage failure after the attempt frees the slot.
 */
const SETTINGS: AdmissionSettings = { slots: 2, leaseSeconds: 15, busyDelaySeconds: 1 };
const T0 = new Date('2026-12-05T04:00:00.000Z');
const later = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

let dynamo: LocalDynamo;
let store: WebhookEndpointStore;

beforeAll(async () => {
  dynamo = await startDynalite();
  store = new WebhookEndpointStore(dynamo.doc, dynamo.tables.payments);
});
afterAll(async () => {
  await dynamo?.stop();
});

const newEndpointId = () => `we_${randomUUID().slice(0, 12)}`;
const admitAt = (endpointId: string, at: Date) =>
  admit({ endpoints: store, random: () => 0.5 }, endpointId, at, SETTINGS);

describe('endpoint attempt slots', () => {
  it('admits two attempts at once and sends the third away busy', async () => {
    // Prepare
    const endpointId = newEndpointId();

    // Act
    const first = await admitAt(endpointId, T0);
    const second = await admitAt(endpointId, T0);
    const third = await admitAt(endpointId, T0);

    // Assess
    expect(first).toMatchObject({ attempt: true, held: { slot: 0 } });
    expect(second).toMatchObject({ attempt: true, held: { slot: 1 } });
    expect(third).toEqual({ attempt: false, why: 'busy', seconds: 1.5 });
    expect(Object.keys((await store.health(endpointId))?.leases ?? {}).sort()).toEqual(['0', '1']);
  });

  it('frees a released slot for the next delivery', async () => {
    // Prepare
    const endpointId = newEndpointId();
    const first = await admitAt(endpointId, T0);
    await admitAt(endpointId, T0);
    if (!first.attempt) throw new Error('not admitted');

    // Act
    await store.releaseSlot(endpointId, first.held);
    const next = await admitAt(endpointId, later(1));

    // Assess
    expect(next).toMatchObject({ attempt: true, held: { slot: 0 } });
  });

  it('frees the slots of attempts that crashed once their leases run out, not before', async () => {
    // Prepare: two attempts take the slots and never release them
    const endpointId = newEndpointId();
    await admitAt(endpointId, T0);
    await admitAt(endpointId, T0);

    // Act
    const before = await admitAt(endpointId, later(SETTINGS.leaseSeconds - 0.001));
    const after = await admitAt(endpointId, later(SETTINGS.leaseSeconds + 0.001));

    // Assess: the wait before is until the oldest lease ends (its attempt is slow), the one after takes slot 0
    expect(before).toMatchObject({ attempt: false, why: 'busy' });
    expect(after).toMatchObject({ attempt: true, held: { slot: 0 } });
  });

  it('sends deliveries away for longer the longer the attempts in flight have run, at most until a lease ends', async () => {
    // Prepare
    const endpointId = newEndpointId();
    await admitAt(endpointId, T0);
    await admitAt(endpointId, later(0.2));

    // Act
    const young = await admitAt(endpointId, later(0.5));
    const slow = await admitAt(endpointId, later(4));
    const hanging = await admitAt(endpointId, later(10));

    // Assess: the busy delay; as long again as the oldest has run; then until its lease ends
    expect(young).toEqual({ attempt: false, why: 'busy', seconds: 1.5 });
    expect(slow).toEqual({ attempt: false, why: 'busy', seconds: 4 });
    expect(hanging).toEqual({ attempt: false, why: 'busy', seconds: SETTINGS.leaseSeconds - 10 });
  });

  it('leaves a slot taken again to its new holder when the old holder releases late', async () => {
    // Prepare
    const endpointId = newEndpointId();
    const stale = await admitAt(endpointId, T0);
    await admitAt(endpointId, T0);
    const retaken = await admitAt(endpointId, later(SETTINGS.leaseSeconds + 1));
    if (!stale.attempt || !retaken.attempt) throw new Error('not admitted');

    // Act
    await store.releaseSlot(endpointId, stale.held);
    await store.recordSuccess(endpointId, stale.held);

    // Assess
    expect(retaken.held.slot).toBe(stale.held.slot);
    expect((await store.health(endpointId))?.leases['0']).toBe(retaken.held.lease);
  });

  it('records the outcome and frees the slot in one write', async () => {
    // Prepare
    const endpointId = newEndpointId();
    const failing = await admitAt(endpointId, T0);
    if (!failing.attempt) throw new Error('not admitted');

    // Act
    const failures = await store.recordFailure(endpointId, later(30).toISOString(), failing.held);
    const afterFailure = await store.health(endpointId);
    const probe = await admitAt(endpointId, later(31));
    if (!probe.attempt) throw new Error('the probe was not admitted');
    await store.recordSuccess(endpointId, probe.held);
    const afterSuccess = await store.health(endpointId);

    // Assess
    expect(failures).toBe(1);
    expect(afterFailure).toMatchObject({ consecutiveFailures: 1, leases: {} });
    expect(afterSuccess).toMatchObject({ consecutiveFailures: 0, leases: {} });
    expect(afterSuccess?.nextAttemptAt).toBeUndefined();
  });

  it('keeps a failing endpoint in its back-off, then lets one probe at a time', async () => {
    // Prepare
    const endpointId = newEndpointId();
    const first = await admitAt(endpointId, T0);
    if (!first.attempt) throw new Error('not admitted');
    await store.recordFailure(endpointId, later(30).toISOString(), first.held);

    // Act
    const inBackOff = await admitAt(endpointId, later(20));
    const probe = await admitAt(endpointId, later(30));
    const second = await admitAt(endpointId, later(31));

    // Assess
    expect(inBackOff).toEqual({ attempt: false, why: 'back-off', seconds: 10 });
    expect(probe).toMatchObject({ attempt: true, held: { slot: 0 }, failures: 1 });
    expect(second).toEqual({ attempt: false, why: 'probing', seconds: SETTINGS.leaseSeconds - 1 });
  });
});

describe('deliver() with an endpoint busy', () => {
  const fixture = async () => {
    const endpointId = newEndpointId();
    const clientId = 'acme';
    await store.create({
      endpointId,
      clientId,
      url: 'http://127.0.0.1:9/hooks',
      events: ['payment.succeeded'],
      secrets: [{ ciphertext: 'c', createdAt: T0.toISOString() }],
      createdAt: T0.toISOString(),
    });
    const posts: ((result: PostResult) => void)[] = [];
    const requeued: { message: DeliveryMessage; delaySeconds: number }[] = [];
    const deadLetters: DeliveryMessage[] = [];
    const attempts: AttemptRecord[] = [];
    let kmsDown = false;
    const d: DeliverDeps = {
      endpoints: store,
      deliveries: {
        getEvent: async (eventId) => ({
          eventId,
          type: 'payment.succeeded',
          clientId,
          subjectId: 'pay_1',
          body: '{}',
          createdAt: T0.toISOString(),
        }),
        getDelivery: async () => undefined,
        recordAttempt: async (attempt) => void attempts.push(attempt),
        setStatus: async () => undefined,
      },
      cipher: {
        decrypt: async () => {
          if (kmsDown) throw new Error('KMS unavailable');
          return 'whsec_test';
        },
      },
      requeue: async (message, delaySeconds) => void requeued.push({ message, delaySeconds }),
      deadLetter: async (message) => void deadLetters.push(message),
      post: () => new Promise<PostResult>((resolve) => posts.push(resolve)),
      settings: {
        ...SETTINGS,
        timeoutMs: 10_000,
        schedule: { baseSeconds: 30, maxDelaySeconds: 3600, windowSeconds: 90_000 },
        mode: 'local',
      },
      now: () => T0,
      random: () => 0.5,
    };
    const message = (n: number): DeliveryMessage => ({
      eventId: `ntf_${n}_${endpointId}`,
      endpointId,
      clientId,
      attempt: 0,
    });
    return {
      endpointId,
      deps: d,
      message,
      posts,
      requeued,
      deadLetters,
      attempts,
      kmsDown: () => {
        kmsDown = true;
      },
    };
  };
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    if (!check()) throw new Error('never happened');
  };

  it('requeues a delivery finding both slots taken as it came, with no attempt made or logged', async () => {
    // Prepare: two deliveries hang in their attempts
    const f = await fixture();
    const inFlight = [deliver(f.deps, f.message(1)), deliver(f.deps, f.message(2))];
    await until(() => f.posts.length === 2);

    // Act
    const third = await deliver(f.deps, f.message(3));
    for (const answer of f.posts) answer({ statusCode: 200, latencyMs: 5 });
    const outcomes = await Promise.all(inFlight);

    // Assess
    expect(third).toBe('busy');
    expect(f.posts).toHaveLength(2);
    expect(f.requeued).toEqual([{ message: f.message(3), delaySeconds: 2 }]);
    expect(f.attempts.map((a) => a.eventId).sort()).toEqual([f.message(1).eventId, f.message(2).eventId]);
    expect(f.deadLetters).toEqual([]);
    expect(outcomes).toEqual(['delivered', 'delivered']);
    expect((await store.health(f.endpointId))?.leases).toEqual({});
  });

  it('frees the slot when a dependency fails after the slot was taken, and the message is retried', async () => {
    // Prepare
    const f = await fixture();
    f.kmsDown();

    // Act
    const error = await deliver(f.deps, f.message(1)).catch((e: Error) => e);

    // Assess: the error goes to the handler (SQS retries the message); nothing attempted, the slot free
    expect(error).toBeInstanceOf(Error);
    expect(f.posts).toHaveLength(0);
    expect(f.requeued).toEqual([]);
    expect((await store.health(f.endpointId))?.leases).toEqual({});
  });
});
