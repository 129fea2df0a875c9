import type { OpsContext } from '../ops-context';

/**
 * What the operations functions need from a context: the lean AWS clients, the
 * stage's resource names and lookups (../ops-context.ts). A payctl CliContext is
 * one; the console API's Lambda builds its own (no AWS SDK) and calls the same functions.
 */
export type OpsDeps = Pick<
  OpsContext,
  'stage' | 'names' | 'clients' | 'local' | 'queueUrl' | 'stateMachineArn' | 'identity'
>;
