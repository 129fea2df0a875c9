import type { Command } from 'commander';
import { registerConsoleCommand } from './console/command';
import type { CliContext } from './context';
import { registerFinanceCommands } from './finance/commands';
import { registerImportCommands } from './imports/commands';
import { registerOpsCommands } from './ops/commands';
import { registerPaymentsCommands } from './ops/resolve-command';
import { registerWalletCommands } from './wallets/commands';
import { registerWebhookCommands } from './webhooks/commands';

/** A group of subcommands (dlq, sagas, audit, history, report, reconcile, wallets, console) registers itself here. */
export type RegisterCommands = (program: Command, context: () => CliContext) => void;

export const COMMAND_GROUPS: RegisterCommands[] = [
  registerOpsCommands,
  registerPaymentsCommands,
  registerFinanceCommands,
  registerWalletCommands,
  registerWebhookCommands,
  registerConsoleCommand,
  registerImportCommands,
];
