import { describe, expect, it } from 'vitest';
import { postWebhook } from '../../core/webhooks/post';
import { isNonPublicAddress, validateWebhookUrl, WebhookUrlError } from '../../core/webhooks/url-policy';

const resolvesTo =
  (...addresses: string[]) =>
  async () =>
    addresses;

describe('Webhook URL policy (AWS mode)', () => {
  it.each([
    ['http://example.com/hooks', /https/],
    ['https://user:pw@example.com/hooks', /credentials/],
    ['not a url', /absolute/],
    ['https://127.0.0.1/hooks', /private, loopback or link-local/],
    ['https://10.1.2.3/hooks', /private/],
    ['https://169.254.169.254/latest/meta-data', /link-local/],
    ['https://[::1]/hooks', /private/],
    ['https://[fd00::1]/hooks', /private/],
    ['https://[::ffff:192.168.1.1]/hooks', /private/],
    ['https://100.64.0.1/hooks', /private/],
  ])('refuses %s', async (url, reason) => {
    // Act / Assess
    await expect(validateWebhookUrl(url, 'aws', resolvesTo('93.184.216.34'))).rejects.toThrow(reason);
  });

  it('refuses a name when ANY of its addresses is private, and one that does not resolve', async () => {
    // Act / Assess
    await expect(
      validateWebhookUrl('https://hooks.example.com/', 'aws', resolvesTo('93.184.216.34', '10.0.0.5')),
    ).rejects.toThrow(/10\.0\.0\.5/);
    await expect(
      validateWebhookUrl('https://nowhere.example/', 'aws', async () => {
        throw new Error('ENOTFOUND');
      }),
    ).rejects.toThrow(WebhookUrlError);
  });

  it('accepts https to a name whose addresses are all public', async () => {
    // Act
    const url = await validateWebhookUrl(
      'https://hooks.example.com/in',
      'aws',
      resolvesTo('93.184.216.34', '2606:2800:220:1::1'),
    );

    // Assess
    expect(url.hostname).toBe('hooks.example.com');
  });

  it('allows http://127.0.0.1 in local mode only', async () => {
    // Act / Assess
    await expect(validateWebhookUrl('http://127.0.0.1:4000/hooks', 'local')).resolves.toBeInstanceOf(URL);
    await expect(validateWebhookUrl('http://127.0.0.1:4000/hooks', 'aws')).rejects.toThrow(/https/);
    await expect(validateWebhookUrl('http://10.0.0.1/hooks', 'local')).rejects.toThrow(/https/);
  });

  it('classifies addresses', () => {
    expect(isNonPublicAddress('8.8.8.8')).toBe(false);
    expect(isNonPublicAddress('172.20.0.1')).toBe(true);
    expect(isNonPublicAddress('192.168.0.1')).toBe(true);
    expect(isNonPublicAddress('fe80::1')).toBe(true);
    expect(isNonPublicAddress('garbage')).toBe(true);
  });
});

describe('Webhook attempt', () => {
  it('re-checks the address at delivery: a name that now resolves to a private address is not contacted', async () => {
    // Act
    const result = await postWebhook({
      url: 'https://rebound.example/hooks',
      body: '{}',
      headers: {},
      timeoutMs: 1000,
      maxBodyBytes: 1024,
      mode: 'aws',
      resolve: resolvesTo('127.0.0.1'),
    });

    // Assess
    expect(result.statusCode).toBeUndefined();
    expect(result.error).toMatch(/^refused: .*private, loopback or link-local/);
  });
});
