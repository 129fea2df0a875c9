import { CONSOLE_DIST } from '../../cli/console/assets';
import { consoleData } from '../../cli/console/data';
import { type ConsoleServer, startConsoleServer } from '../../cli/console/server';
import { createClients, createContext } from '../../cli/context';
import { createOutput } from '../../cli/output';
import type { Runtime } from '../../local/runtime';

/**
 * The console server as `payctl console --endpoint <runtime>` starts it: a
 * payctl context with SDK clients pointed at the runtime, the same data
 * functions, the built assets; port 0.
 */
export async function startConsoleFor(
  runtime: Pick<Runtime, 'endpoint' | 'region' | 'names'>,
  options: { allowActions: boolean },
): Promise<ConsoleServer> {
  const global = { stage: runtime.names.stage, endpoint: runtime.endpoint, region: runtime.region };
  const clients = createClients(global);
  const ctx = createContext(global, {
    clients,
    out: createOutput({ json: true, stdout: () => {}, stderr: () => {} }),
  });
  return startConsoleServer({
    data: consoleData(ctx),
    stage: ctx.stage,
    local: ctx.local,
    allowActions: options.allowActions,
    assetsDir: CONSOLE_DIST,
    port: 0,
  });
}
