import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsProvider,
} from '../../core/aws/secrets-manager';
import { GatewayCredentialsError, gatewayFromSecret } from '../../core/gateway/credentials';
import { money } from '../../core/money';
import { mockLeanClient } from '../helpers/lean-aws-mock';
import { type StartedSandbox, startSandbox } from '../helpers/sandbox';

// No local Secrets Manager exists yet (the local runtime will serve one at AWS_ENDPOINT_URL), so the
// SDK client is mocked at its boundary; everything above it (Powertools cache, transform) is real.
const client = new SecretsManagerClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
});
const secretsManager = mockLeanClient(client);

let started: StartedSandbox;

const newSecretId = () => `paysaga/test/gateway-${randomUUID()}`;
const newProvider = () => new SecretsProvider({ awsSdkV3Client: client });
const secretString = (value: unknown) => ({ SecretString: JSON.stringify(value) });
const charge = (paymentId = `pay-${randomUUID()}`) => ({
  paymentId,
  amount: money(100, 'EUR'),
  paymentMethod: 'pm_card_visa',
});
const calls = (secretId: string) =>
  secretsManager
    .commandCalls(GetSecretValueCommand)
    .filter((call) => call.args[0].input.SecretId === secretId);

beforeAll(async () => {
  started = await startSandbox();
});

afterAll(async () => {
  await started.stop();
});

afterEach(() => {
  secretsManager.reset();
  vi.useRealTimers();
});

describe('Function: gatewayFromSecret', () => {
  it('reads the key from Secrets Manager once and serves the next calls from the Powertools cache', async () => {
    // Prepare
    const secretId = newSecretId();
    secretsManager
      .on(GetSecretValueCommand, { SecretId: secretId })
      .resolves(secretString({ apiKey: started.apiKey, apiBase: started.url }));
    const first = charge();
    const second = charge();

    // Act
    const gateway = await gatewayFromSecret({ secretId, secretsProvider: newProvider(), timeoutMs: 2000 });
    await gateway.charge(first);
    await gateway.charge(second);

    // Assess
    expect(calls(secretId)).toHaveLength(1);
    expect(started.sandbox.chargesFor(first.paymentId)).toHaveLength(1);
    expect(started.sandbox.chargesFor(second.paymentId)).toHaveLength(1);
  });

  it('hands every caller of a cold start the same gateway', async () => {
    // Prepare
    const secretId = newSecretId();
    const provider = newProvider();
    secretsManager
      .on(GetSecretValueCommand, { SecretId: secretId })
      .resolves(secretString({ apiKey: started.apiKey, apiBase: started.url }));

    // Act
    const [a, b] = await Promise.all([
      gatewayFromSecret({ secretId, secretsProvider: provider }),
      gatewayFromSecret({ secretId, secretsProvider: provider }),
    ]);

    // Assess
    expect(a).toBe(b);
    expect(calls(secretId)).toHaveLength(1);
  });

  it('refuses a malformed secret without quoting it, and reads again on the next cold-start attempt', async () => {
    // Prepare
    const secretId = newSecretId();
    const provider = newProvider();
    const leaked = 'not-a-key-but-secret-1234';
    secretsManager
      .on(GetSecretValueCommand, { SecretId: secretId })
      .resolvesOnce(secretString({ apiKey: leaked }))
      .resolves(secretString({ apiKey: started.apiKey, apiBase: started.url }));

    // Act
    const error = await gatewayFromSecret({ secretId, secretsProvider: provider }).catch((e: unknown) => e);
    const retried = await gatewayFromSecret({ secretId, secretsProvider: provider });

    // Assess
    expect(error).toBeInstanceOf(GatewayCredentialsError);
    expect((error as Error).message).toContain(secretId);
    expect((error as Error).message).toContain('apiKey');
    expect((error as Error).message).not.toContain(leaked);
    expect(retried).toBeDefined();
    expect(calls(secretId)).toHaveLength(2);
  });

  it('names the secret when it does not exist', async () => {
    // Prepare
    const secretId = newSecretId();
    secretsManager
      .on(GetSecretValueCommand, { SecretId: secretId })
      .rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));

    // Act
    const error = await gatewayFromSecret({ secretId, secretsProvider: newProvider() }).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(error).toBeInstanceOf(GatewayCredentialsError);
    expect((error as Error).message).toContain(`cannot read gateway secret ${secretId}`);
  });

  it('re-reads the secret right after the gateway rejected the key, so a fixed secret works on redrive', async () => {
    // Prepare
    const secretId = newSecretId();
    const wrongKey = `sk_test_wrong${randomUUID().replaceAll('-', '')}`;
    secretsManager
      .on(GetSecretValueCommand, { SecretId: secretId })
      .resolvesOnce(secretString({ apiKey: wrongKey, apiBase: started.url }))
      .resolves(secretString({ apiKey: started.apiKey, apiBase: started.url }));
    const gateway = await gatewayFromSecret({ secretId, secretsProvider: newProvider() });
    const request = charge();

    // Act
    const rejected = await gateway.charge(request).catch((e: unknown) => e);
    const afterFix = await gateway.charge(request);

    // Assess
    expect((rejected as Error).name).toBe('GatewayUnavailableError');
    expect((rejected as Error).message).toContain('rejected the API key');
    expect(afterFix.status).toBe('succeeded');
    expect(calls(secretId)).toHaveLength(2);
  });

  it('picks up a rotated key once the cached secret is older than maxAge, with no new cold start', async () => {
    // Prepare
    vi.useFakeTimers({ toFake: ['Date'] });
    const rotated = await startSandbox({ apiKeys: ['sk_test_rotationold', 'sk_test_rotationnew'] });
    const secretId = newSecretId();
    secretsManager
      .on(GetSecretValueCommand, { SecretId: secretId })
      .resolvesOnce(secretString({ apiKey: 'sk_test_rotationold', apiBase: rotated.url }))
      .resolves(secretString({ apiKey: 'sk_test_rotationnew', apiBase: rotated.url }));
    try {
      const gateway = await gatewayFromSecret({
        secretId,
        secretsProvider: newProvider(),
        maxAgeSeconds: 60,
      });

      // Act
      await gateway.charge(charge());
      const readsWithinMaxAge = calls(secretId).length;
      vi.setSystemTime(Date.now() + 61_000);
      await gateway.charge(charge());

      // Assess
      expect(readsWithinMaxAge).toBe(1);
      expect(calls(secretId)).toHaveLength(2);
    } finally {
      await rotated.stop();
    }
  });
});
