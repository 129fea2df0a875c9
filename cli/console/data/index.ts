import type { OpsDeps } from '../../ops/deps';
import { consoleActData } from './act';
import type { ConsoleData } from './port';
import { consoleReadData } from './read';

export type { ConsoleActData, ConsoleData, ConsoleReadData } from './port';

/** The console's data over a payctl context: AWS or the local runtime through its SDK clients. */
export function consoleData(deps: OpsDeps): ConsoleData {
  return { ...consoleReadData(deps), ...consoleActData(deps) };
}
