import { Option } from 'commander';
import { parsePositiveInt } from '../ops/args';
import type { RegisterCommands } from '../registry';
import { ensureConsoleAssets } from './assets';
import { consoleData } from './data';
import { startConsoleServer } from './server';

export const DEFAULT_CONSOLE_PORT = 4570;

/**
 * `payctl console`: the web face of the same functions. Serves console/dist and
 * the JSON API on 127.0.0.1 until interrupted; read-only unless --allow-actions.
 */
export const registerConsoleCommand: RegisterCommands = (program, context) => {
  program
    .command('console')
    .description(
      'serve the web console (payments, saga timelines, DLQs, failed sagas, volume, audit) on 127.0.0.1',
    )
    .option('--port <port>', 'port on 127.0.0.1 (0: any free port)', String(DEFAULT_CONSOLE_PORT))
    .option(
      '--allow-actions',
      'offer DLQ and saga redrives (audited as payctl does); read-only without it',
      false,
    )
    .addOption(
      new Option('--rebuild', 'rebuild the front end (vite build) even if console/dist exists').default(
        false,
      ),
    )
    .action(async (options: { port: string; allowActions: boolean; rebuild: boolean }) => {
      const ctx = context();
      const port = options.port === '0' ? 0 : parsePositiveInt('--port', options.port, 65_535);
      const assetsDir = await ensureConsoleAssets({ rebuild: options.rebuild, note: (t) => ctx.out.note(t) });
      const server = await startConsoleServer({
        data: consoleData(ctx),
        stage: ctx.stage,
        local: ctx.local,
        allowActions: options.allowActions,
        assetsDir,
        port,
      });
      ctx.out.result({ url: server.url, stage: ctx.stage, allowActions: options.allowActions }, () =>
        ctx.out.line(
          `paysaga console for stage ${ctx.stage}${ctx.local ? ' (local runtime)' : ''}: ${server.url}  (${options.allowActions ? 'actions ALLOWED: redrives are audited' : 'read-only'}; Ctrl-C to stop)`,
        ),
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
};
