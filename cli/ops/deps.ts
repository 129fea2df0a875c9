import type { CliContext } from '../context';

/**
 * What the operations functions need from a context: SDK clients, the stage's
 * resource names and lookups. A payctl CliContext is one; the console builds
 * its own with the same shape and calls the same functions.
 */
export type OpsDeps = Pick<
  CliContext,
  'stage' | 'names' | 'clients' | 'local' | 'queueUrl' | 'stateMachineArn' | 'identity'
>;
