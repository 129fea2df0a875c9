import { randomUUID } from 'node:crypto';
import {
  type SandboxGateway,
  type SandboxGatewayOptions,
  startSandboxGateway,
} from '../../local/sandbox-gateway/server';

export interface StartedSandbox {
  /** The apiBase for the gateway secret, e.g. http://127.0.0.1:53211 */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The one key this sandbox accepts (unique per call). */
  readonly apiKey: string;
  readonly sandbox: SandboxGateway;
  stop(): Promise<void>;
}

/** Starts a sandbox gateway on 127.0.0.1, a free port, accepting one fresh test key. */
export async function startSandbox(options: SandboxGatewayOptions = {}): Promise<StartedSandbox> {
  const apiKey = `sk_test_sandbox${randomUUID().replaceAll('-', '')}`;
  const sandbox = await startSandboxGateway({ apiKeys: [apiKey], ...options, host: '127.0.0.1', port: 0 });
  return {
    url: sandbox.url,
    host: sandbox.host,
    port: sandbox.port,
    apiKey,
    sandbox,
    stop: () => sandbox.stop(),
  };
}
