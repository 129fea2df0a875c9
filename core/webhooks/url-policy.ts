import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * The one validator of webhook URLs (SSRF rules), used when an endpoint is
 * registered and again at every delivery (the name is resolved again then:
 * an address may have changed since).
 *
 * - `aws`: https only; the host must resolve, and EVERY address it resolves to
 *   must be public (no private, loopback, link-local, CGNAT, multicast,
 *   unspecified, IPv4-mapped private, unique-local or documentation ranges).
 *   No credentials in the URL. Redirects are never followed (core/webhooks/post.ts).
 * - `local`: additionally http://127.0.0.1 (and https) for tests and newcomers.
 */
export type UrlPolicyMode = 'aws' | 'local';

export type Resolver = (host: string) => Promise<readonly string[]>;

export const systemResolver: Resolver = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['64:ff9b::', 96],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv6');
}

/** Whether an address is one a webhook may never reach on AWS. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return BLOCKED.check(mapped[1], 'ipv4');
  return BLOCKED.check(address, 'ipv6');
}

export class WebhookUrlError extends Error {
  override readonly name = 'WebhookUrlError';
}

const LOCAL_HOSTS = new Set(['127.0.0.1']);

/** Checks a URL's form (no DNS); throws WebhookUrlError naming the rule broken. */
export function checkUrlForm(raw: string, mode: UrlPolicyMode): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlError('url is not an absolute URL');
  }
  if (url.username || url.password) throw new WebhookUrlError('url must not carry credentials');
  if (url.hash) throw new WebhookUrlError('url must not have a fragment');
  const local = mode === 'local' && LOCAL_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(local && url.protocol === 'http:')) {
    throw new WebhookUrlError(
      mode === 'local' ? 'url must be https (or http://127.0.0.1 locally)' : 'url must be https',
    );
  }
  return url;
}

/** The addresses a delivery may connect to for this host; throws when any is not public (aws mode). */
export async function allowedAddresses(
  hostname: string,
  mode: UrlPolicyMode,
  resolve: Resolver,
): Promise<readonly string[]> {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  if (mode === 'local' && LOCAL_HOSTS.has(host)) return [host];
  let addresses: readonly string[];
  try {
    addresses = isIP(host) ? [host] : await resolve(host);
  } catch {
    throw new WebhookUrlError(`url host ${host} does not resolve`);
  }
  if (addresses.length === 0) throw new WebhookUrlError(`url host ${host} does not resolve`);
  const blocked = addresses.filter(isNonPublicAddress);
  if (blocked.length > 0) {
    throw new WebhookUrlError(
      `url host ${host} resolves to a private, loopback or link-local address (${blocked.join(', ')})`,
    );
  }
  return addresses;
}

/** The whole rule set, for registration: form, then every resolved address. */
export async function validateWebhookUrl(
  raw: string,
  mode: UrlPolicyMode,
  resolve: Resolver = systemResolver,
): Promise<URL> {
  const url = checkUrlForm(raw, mode);
  await allowedAddresses(url.hostname, mode, resolve);
  return url;
}
