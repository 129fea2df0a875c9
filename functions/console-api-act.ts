import { CONSOLE_ACT_API } from '../cli/console/routes/act';
import { consoleApiHandler } from './commons/console-lambda';

/** The hosted console API's act function (stacks/ConsoleApi.ts): the audited actions and their plans only. */
export const handler = consoleApiHandler(CONSOLE_ACT_API);
