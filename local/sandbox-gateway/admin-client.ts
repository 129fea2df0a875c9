import type {
  InjectChargeInput,
  InjectRefundInput,
  SandboxCharge,
  SandboxRefund,
  SandboxRequest,
} from './server';
import type { SandboxPaymentMethod } from './test-methods';

export class SandboxAdminError extends Error {
  override readonly name = 'SandboxAdminError';
}

/** Drives a sandbox gateway in another process (local runtime, e2e tests) over its /_sandbox/ routes. */
export class SandboxAdminClient {
  constructor(private readonly baseUrl: string) {}

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const payload = (await response.json()) as T & { error?: string };
    if (!response.ok) {
      throw new SandboxAdminError(
        `sandbox ${method} ${path} answered ${response.status}: ${payload.error ?? ''}`,
      );
    }
    return payload;
  }

  health(): Promise<{ ok: boolean; down: boolean }> {
    return this.call('GET', '/_sandbox/health');
  }

  paymentMethods(): Promise<SandboxPaymentMethod[]> {
    return this.call('GET', '/_sandbox/payment-methods');
  }

  listCharges(paymentId?: string): Promise<SandboxCharge[]> {
    return this.call(
      'GET',
      `/_sandbox/charges${paymentId ? `?paymentId=${encodeURIComponent(paymentId)}` : ''}`,
    );
  }

  listRefunds(paymentId?: string): Promise<SandboxRefund[]> {
    return this.call(
      'GET',
      `/_sandbox/refunds${paymentId ? `?paymentId=${encodeURIComponent(paymentId)}` : ''}`,
    );
  }

  requests(): Promise<SandboxRequest[]> {
    return this.call('GET', '/_sandbox/requests');
  }

  async setDown(down: boolean): Promise<void> {
    await this.call('POST', '/_sandbox/down', { down });
  }

  injectCharge(input: InjectChargeInput): Promise<SandboxCharge> {
    return this.call('POST', '/_sandbox/charges', input);
  }

  injectRefund(input: InjectRefundInput): Promise<SandboxRefund> {
    return this.call('POST', '/_sandbox/refunds', input);
  }
}
