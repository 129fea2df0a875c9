import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxGateway, startSandboxGateway } from '../../local/sandbox-gateway/server';

let sandbox: SandboxGateway;
beforeAll(async () => {
  sandbox = await startSandboxGateway({});
});
afterAll(() => sandbox.stop());

function post(path: string, form: Record<string, string>, idempotencyKey: string): Promise<Response> {
  return fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: {
      authorization: 'Bearer sk_test_chaos_unit',
      'content-type': 'application/x-www-form-urlencoded',
      'idempotency-key': idempotencyKey,
    },
    body: new URLSearchParams(form).toString(),
  });
}

describe('sandbox pm_sandbox_refunddrop_<n>', () => {
  it('charges normally, applies the refund but loses its answer n times, then replays the one refund', async () => {
    // Prepare
    const paymentId = `pay_refunddrop_${randomUUID().slice(0, 8)}`;
    const charged = await post(
      '/v1/payment_intents',
      {
        amount: '1250',
        currency: 'eur',
        payment_method: 'pm_sandbox_refunddrop_1',
        confirm: 'true',
        'metadata[paymentId]': paymentId,
      },
      `charge-${paymentId}`,
    );
    const intent = (await charged.json()) as { id: string; status: string };
    const refund = () => post('/v1/refunds', { payment_intent: intent.id }, `refund-${paymentId}`);

    // Act
    const lost = await refund().then(
      (response) => `answered ${response.status}`,
      (error: unknown) => `no answer (${(error as Error).name})`,
    );
    const retried = await refund();

    // Assess
    expect(charged.status).toBe(200);
    expect(intent.status).toBe('succeeded');
    expect(lost).toBe('no answer (TypeError)');
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(sandbox.listRefunds().filter((r) => r.chargeId === intent.id)).toHaveLength(1);
    expect(sandbox.chargesFor(paymentId)[0]?.refunded).toBe(1250);
  });
});
