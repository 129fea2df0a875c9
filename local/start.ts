import { startEmbeddedConsole } from '../cli/console/embedded';
import type { ConsoleServer } from '../cli/console/server';
import { flagsOrExit } from './command-line';
import { startRuntime } from './runtime';

const USAGE = `usage: npm start -- [--port 4566] [--host 127.0.0.1] [--data-dir .paysaga] [--memory] [--stage local] [--no-sandbox]
                     [--api-port 4567] [--no-api] [--console-port 4570] [--no-console] [--allow-actions] [--no-sweeper] [--json]

Runs paysaga locally: one AWS endpoint (DynamoDB, SQS, EventBridge, Step Functions,
Secrets Manager), the saga's handlers in-process, and the sandbox gateway.
  --port       edge port (default 4566; 0 = any free port)
  --data-dir   where tables, queues, executions and secrets live (default .paysaga)
  --memory     keep nothing on disk
  --api-port   the HTTP front door's port (POST/GET /v1/payments; default 4567; 0 = any free port);
               its API keys are in <data-dir>/api-clients.json
  --no-api     do not serve the front door
  --console-port  the web console's port on 127.0.0.1 (default 4570; 0 = any free port)
  --no-console    do not serve the console
  --allow-actions let the console redrive DLQs and sagas (audited); read-only otherwise
  --no-sweeper do not run the expired-hold sweeper (every 15 minutes otherwise)
  --json       print the start banner as one JSON line (for scripts)`;

function parseOptions() {
  return flagsOrExit(
    {
      port: { type: 'string', default: process.env.PAYSAGA_PORT ?? '4566' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string', default: process.env.PAYSAGA_DATA_DIR ?? '.paysaga' },
      memory: { type: 'boolean', default: false },
      stage: { type: 'string', default: 'local' },
      'no-sandbox': { type: 'boolean', default: false },
      'api-port': { type: 'string', default: process.env.PAYSAGA_API_PORT },
      'no-api': { type: 'boolean', default: false },
      'console-port': { type: 'string', default: process.env.PAYSAGA_CONSOLE_PORT ?? '4570' },
      'no-console': { type: 'boolean', default: false },
      'allow-actions': { type: 'boolean', default: false },
      'no-sweeper': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    USAGE,
  );
}

/** fauxqs persists through node:sqlite, which Node 22 flags as experimental on every start: not news to the user. */
function quietSqliteWarning(): void {
  const listeners = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'ExperimentalWarning' && /SQLite/i.test(warning.message)) return;
    for (const listener of listeners) listener(warning);
  });
}

async function main(): Promise<void> {
  quietSqliteWarning();
  const options = parseOptions();
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be a port number (0-65535), got ${options.port}\n`);
    process.exit(2);
  }
  let runtime: Awaited<ReturnType<typeof startRuntime>>;
  // Set once the runtime is up: stops it and exits non-zero (a runtime without its DynamoDB serves nothing).
  let fatal: ((error: Error) => void) | undefined;
  try {
    runtime = await startRuntime({
      onFatal: (error) => fatal?.(error),
      port,
      host: options.host,
      dataDir: options['data-dir'],
      memory: options.memory,
      stage: options.stage,
      sandbox: !options['no-sandbox'],
      ...(options['no-sweeper'] && { sweeper: false as const }),
      // With --port 0 (tests, several runtimes at once) the front door takes any free port too, unless told.
      frontDoor: options['no-api'] ? false : { port: Number(options['api-port'] ?? (port === 0 ? 0 : 4567)) },
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint =
      code === 'EADDRINUSE'
        ? `port ${(error as { port?: number }).port ?? port} is in use: is paysaga already running? Stop it, or pass --port / --api-port <other>.`
        : (error as Error).name === 'DataDirInUseError'
          ? 'one runtime per data dir.'
          : 'see the error above.';
    process.stderr.write(`paysaga local runtime failed to start: ${String(error)}\n${hint}\n`);
    process.exit(1);
  }
  const consoleServer = options['no-console'] ? undefined : await startConsole(runtime, options);
  const env = {
    AWS_ENDPOINT_URL: runtime.endpoint,
    AWS_REGION: runtime.region,
    AWS_ACCESS_KEY_ID: runtime.env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: runtime.env.AWS_SECRET_ACCESS_KEY,
  };
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ event: 'started', endpoint: runtime.endpoint, dataDir: runtime.dataDir ?? null, sandbox: runtime.sandbox?.url ?? null, console: consoleServer?.url ?? null, frontDoor: runtime.frontDoor?.url ?? null, env, pid: process.pid })}\n`,
    );
  } else {
    const lines = [
      'paysaga local runtime is up',
      `  endpoint   ${runtime.endpoint}`,
      `  data dir   ${runtime.dataDir ?? '(memory: nothing is kept on disk)'}`,
      `  gateway    ${runtime.sandbox?.url ?? '(sandbox off)'}  (secret ${runtime.names.gatewaySecret})`,
      `  event bus  ${runtime.names.eventBus}   state machine ${runtime.names.stateMachine}`,
      ...frontDoorLines(runtime),
      `  console    ${consoleServer ? `${consoleServer.url}${options['allow-actions'] ? '  (actions allowed)' : '  (read-only)'}` : '(off)'}`,
      '',
      'point any AWS SDK v3 client or payctl at it:',
      ...Object.entries(env).map(([key, value]) => `  export ${key}=${value}`),
      '',
      'one JSON line per saga outcome follows; Ctrl-C stops (state is kept).',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }

  let stoppingSince: number | undefined;
  const shutdown = (signal: string, exitCode = 0) => {
    if (stoppingSince !== undefined) {
      // A terminal's Ctrl-C reaches both tsx and this process: ignore the echo, obey a deliberate second press.
      if (Date.now() - stoppingSince < 1000) return;
      process.stderr.write(
        'second interrupt: exiting now (state on disk stays consistent, even when killed)\n',
      );
      process.exit(130);
    }
    stoppingSince = Date.now();
    process.stderr.write(`${signal}: stopping paysaga local runtime\n`);
    Promise.resolve(consoleServer?.close())
      .then(() => runtime.stop())
      .then(
        () => {
          process.stderr.write(`stopped in ${Date.now() - (stoppingSince ?? Date.now())} ms\n`);
          process.exit(exitCode);
        },
        (error: unknown) => {
          process.stderr.write(`stop failed: ${String(error)}\n`);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  fatal = (error) => {
    process.stderr.write(
      `paysaga local runtime cannot go on: ${error.message}\nstopping; what is on disk stays consistent: run npm start again to resume\n`,
    );
    shutdown('fatal', 1);
  };
}

/** Where the front door is and how to call it with the first client's key (the keys are in the data dir). */
function frontDoorLines(runtime: Awaited<ReturnType<typeof startRuntime>>): string[] {
  const frontDoor = runtime.frontDoor;
  const client = frontDoor?.clients[0];
  if (!frontDoor || !client) return ['  front door (off)'];
  return [
    `  front door ${frontDoor.url}/v1/payments   client ${client.clientId} (source ${client.source})`,
    `             x-api-key ${client.apiKey}   (all keys: ${runtime.dataDir ? `${runtime.dataDir}/api-clients.json` : 'memory'})`,
  ];
}

/** The console is a convenience: if it cannot start (port taken, build failed), the runtime runs without it. */
async function startConsole(
  runtime: Awaited<ReturnType<typeof startRuntime>>,
  options: ReturnType<typeof parseOptions>,
): Promise<ConsoleServer | undefined> {
  try {
    return await startEmbeddedConsole({
      endpoint: runtime.endpoint,
      region: runtime.region,
      stage: runtime.names.stage,
      port: Number(options['console-port']),
      allowActions: options['allow-actions'],
    });
  } catch (error) {
    process.stderr.write(`console not started (${String(error)}); the runtime runs without it\n`);
    return undefined;
  }
}

await main();
