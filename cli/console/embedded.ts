import { createClients, createContext } from '../context';
import { createOutput } from '../output';
import { ensureConsoleAssets } from './assets';
import type { LocalIssuer } from './auth/local-issuer';
import { localHostedConfig, peopleAuth } from './auth/people';
import { consoleData } from './data';
import { type ConsoleServer, startConsoleServer } from './server';

export interface EmbeddedConsoleOptions {
  /** The AWS endpoint the console's SDK clients use (the local runtime's edge). */
  readonly endpoint: string;
  readonly region: string;
  readonly stage: string;
  /** 127.0.0.1 port; 0 for any free port. */
  readonly port: number;
  readonly allowActions: boolean;
  /** Built assets to serve; default console/dist, built when missing. */
  readonly assetsDir?: string;
  /** Hosted mode: people sign in at this local issuer and the group rules decide (allowActions ignored). */
  readonly signIn?: LocalIssuer;
}

/**
 * The console as `payctl --endpoint <endpoint> console` serves it, started from
 * another process's code (the local runtime's `npm start`, the browser tests):
 * a payctl context with its own SDK clients, the same data functions.
 */
export async function startEmbeddedConsole(options: EmbeddedConsoleOptions): Promise<ConsoleServer> {
  const global = { stage: options.stage, endpoint: options.endpoint, region: options.region };
  const ctx = createContext(global, {
    clients: createClients(global),
    out: createOutput({ json: true, stdout: () => {}, stderr: () => {} }),
  });
  return startConsoleServer({
    data: consoleData(ctx),
    stage: ctx.stage,
    local: ctx.local,
    allowActions: options.allowActions,
    assetsDir: options.assetsDir ?? (await ensureConsoleAssets()),
    port: options.port,
    ...(options.signIn && {
      people: {
        ...peopleAuth(ctx, options.signIn.verifier(), consoleData),
        hosted: localHostedConfig(options.signIn),
      },
    }),
  });
}
