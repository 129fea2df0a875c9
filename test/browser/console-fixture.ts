import { startEmbeddedConsole } from '../../cli/console/embedded';
import type { ConsoleServer } from '../../cli/console/server';
import type { Runtime } from '../../local/runtime';

/** The console server as `payctl console --endpoint <runtime>` starts it, on a free port. */
export function startConsoleFor(
  runtime: Pick<Runtime, 'endpoint' | 'region' | 'names'>,
  options: { allowActions: boolean; assetsDir: string },
): Promise<ConsoleServer> {
  return startEmbeddedConsole({
    endpoint: runtime.endpoint,
    region: runtime.region,
    stage: runtime.names.stage,
    port: 0,
    allowActions: options.allowActions,
    assetsDir: options.assetsDir,
  });
}
