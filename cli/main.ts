import { Command, CommanderError, Option } from 'commander';
import { STAGES } from '../core/config/names';
import { type CliContext, createContext, type GlobalOptions } from './context';
import { CliError, EXIT } from './errors';
import { COMMAND_GROUPS } from './registry';

/**
 * payctl — operations and finance for paysaga, through AWS SDK clients only,
 * against AWS or the local runtime (--endpoint / AWS_ENDPOINT_URL).
 */
export function buildProgram(
  contextFor: (options: GlobalOptions) => CliContext = (o) => createContext(o),
): Command {
  const program = new Command('payctl')
    .description(
      'paysaga operations and finance: dead-letter queues, failed sagas, history, reports, reconciliation',
    )
    .addOption(
      new Option('--stage <stage>', `deployment stage (${STAGES.join(', ')}, ...)`).default(
        process.env.PAYSAGA_STAGE ?? 'local',
      ),
    )
    .option('--region <region>', 'AWS region (default: the SDK chain, AWS_REGION)')
    .option('--profile <profile>', 'AWS shared-config profile')
    .option(
      '--endpoint <url>',
      'AWS endpoint, e.g. the local runtime http://127.0.0.1:4566 (default: AWS_ENDPOINT_URL)',
    )
    .option('--json', 'machine-readable output on stdout', false)
    .option('-y, --yes', 'do not ask for confirmation before changing anything', false)
    .showHelpAfterError()
    .exitOverride();
  const context = () => contextFor(program.opts<GlobalOptions>());
  for (const register of COMMAND_GROUPS) register(program, context);
  return program;
}

export async function runCli(
  argv: string[],
  contextFor?: (options: GlobalOptions) => CliContext,
): Promise<number> {
  const program = buildProgram(contextFor);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      process.stderr.write(`payctl: ${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    process.stderr.write(`payctl: ${message}\n`);
    return EXIT.failure;
  }
}
