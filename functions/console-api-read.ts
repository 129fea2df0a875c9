import { CONSOLE_READ_API } from '../cli/console/routes/read';
import { consoleApiHandler } from './commons/console-lambda';

/** The hosted console API's read function (stacks/ConsoleApi.ts): the read routes only. */
export const handler = consoleApiHandler(CONSOLE_READ_API);
