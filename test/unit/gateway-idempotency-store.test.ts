import { describe, expect, it } from 'vitest';
import {
  IDEMPOTENCY_TTL_MS,
  type IdempotencyRecord,
  IdempotencyStore,
} from '../../local/sandbox-gateway/idempotency-store';

const CHARGE = 'POST /v1/payment_intents amount=100&currency=eur';
const OTHER_AMOUNT = 'POST /v1/payment_intents amount=200&currency=eur';
const OK = { status: 200, body: { id: 'pi_1' } };

describe('Class: IdempotencyStore', () => {
  describe('Method: begin', () => {
    it('lets the first request with a key run', () => {
      // Prepare
      const store = new IdempotencyStore();

      // Act
      const decision = store.begin('sk_test_a', 'pay-1', CHARGE);

      // Assess
      expect(decision).toEqual({ kind: 'new' });
    });

    it('replays the stored response for the same key and the same parameters', () => {
      // Prepare
      const store = new IdempotencyStore();
      store.begin('sk_test_a', 'pay-2', CHARGE);
      store.complete('sk_test_a', 'pay-2', OK);

      // Act
      const decision = store.begin('sk_test_a', 'pay-2', CHARGE);

      // Assess
      expect(decision).toEqual({ kind: 'replay', response: OK });
    });

    it('refuses the same key with different parameters, naming the first endpoint', () => {
      // Prepare
      const store = new IdempotencyStore();
      store.begin('sk_test_a', 'pay-3', CHARGE);
      store.complete('sk_test_a', 'pay-3', OK);

      // Act
      const decision = store.begin('sk_test_a', 'pay-3', OTHER_AMOUNT);

      // Assess
      expect(decision).toEqual({ kind: 'mismatch', firstRequest: 'POST /v1/payment_intents' });
    });

    it('reports a key whose first request is still running as in progress', () => {
      // Prepare
      const store = new IdempotencyStore();
      store.begin('sk_test_a', 'pay-4', CHARGE);

      // Act
      const decision = store.begin('sk_test_a', 'pay-4', CHARGE);

      // Assess
      expect(decision).toEqual({ kind: 'in_progress' });
    });

    it('scopes keys per API key', () => {
      // Prepare
      const store = new IdempotencyStore();
      store.begin('sk_test_a', 'pay-5', CHARGE);
      store.complete('sk_test_a', 'pay-5', OK);

      // Act
      const decision = store.begin('sk_test_b', 'pay-5', OTHER_AMOUNT);

      // Assess
      expect(decision).toEqual({ kind: 'new' });
    });

    it('forgets a key after its time to live', () => {
      // Prepare
      let now = 1_000_000;
      const store = new IdempotencyStore(() => now);
      store.begin('sk_test_a', 'pay-6', CHARGE);
      store.complete('sk_test_a', 'pay-6', OK);
      now += IDEMPOTENCY_TTL_MS;

      // Act
      const decision = store.begin('sk_test_a', 'pay-6', OTHER_AMOUNT);

      // Assess
      expect(decision).toEqual({ kind: 'new' });
    });
  });

  describe('Method: release', () => {
    it('frees the key without storing anything, so a retry runs again', () => {
      // Prepare
      const persisted: IdempotencyRecord[] = [];
      const store = new IdempotencyStore(Date.now, (record) => persisted.push(record));
      store.begin('sk_test_a', 'pay-7', CHARGE);

      // Act
      store.release('sk_test_a', 'pay-7');
      const retry = store.begin('sk_test_a', 'pay-7', OTHER_AMOUNT);

      // Assess
      expect(retry).toEqual({ kind: 'new' });
      expect(persisted).toEqual([]);
    });
  });

  describe('Method: complete', () => {
    it('persists the record, and a restored record replays in a new store', () => {
      // Prepare
      const persisted: IdempotencyRecord[] = [];
      const first = new IdempotencyStore(Date.now, (record) => persisted.push(record));
      first.begin('sk_test_a', 'pay-8', CHARGE);

      // Act
      first.complete('sk_test_a', 'pay-8', OK);
      const second = new IdempotencyStore();
      for (const record of persisted) second.restore(record);

      // Assess
      expect(persisted).toHaveLength(1);
      expect(second.begin('sk_test_a', 'pay-8', CHARGE)).toEqual({ kind: 'replay', response: OK });
    });

    it('refuses to complete a key that was never begun', () => {
      // Prepare
      const store = new IdempotencyStore();

      // Act
      const act = () => store.complete('sk_test_a', 'pay-9', OK);

      // Assess
      expect(act).toThrow(/was not begun/);
    });
  });
});
