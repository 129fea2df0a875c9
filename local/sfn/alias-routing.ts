import { AwsServiceError } from '../edge/aws-json-service';

/** One entry of an alias's RoutingConfiguration. */
export interface RoutingEntry {
  readonly stateMachineVersionArn: string;
  readonly weight: number;
}

/** AWS: 1-80 characters, letters, digits, `-` and `_`; not only digits (that would read as a version). */
const ALIAS_NAME = /^[a-zA-Z0-9_-]{1,80}$/;

export function assertValidAliasName(name: string): void {
  if (!ALIAS_NAME.test(name) || /^\d+$/.test(name)) {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: an alias name is 1-80 letters, digits, '-' or '_', and not a number`,
    );
  }
}

/**
 * Checks a RoutingConfiguration as AWS does: one or two entries, distinct
 * versions of the alias's state machine, integer weights 0-100 that sum to 100.
 * `versionExists` answers whether a version ARN was published.
 */
export function assertValidRouting(
  routing: readonly RoutingEntry[],
  machineArn: string,
  versionExists: (versionArn: string) => boolean,
): void {
  const invalid = (reason: string): never => {
    throw new AwsServiceError('ValidationException', `Invalid RoutingConfiguration: ${reason}`);
  };
  if (routing.length < 1 || routing.length > 2) {
    invalid(`it must name 1 or 2 versions, not ${routing.length}`);
  }
  const seen = new Set<string>();
  for (const { stateMachineVersionArn: arn, weight } of routing) {
    if (!Number.isInteger(weight) || weight < 0 || weight > 100) {
      invalid(`weight ${weight} of ${arn} is not an integer from 0 to 100`);
    }
    if (seen.has(arn)) invalid(`version ${arn} appears twice`);
    seen.add(arn);
    if (versionOf(arn)?.machineArn !== machineArn) {
      invalid(`${arn} is not a version ARN of ${machineArn}`);
    }
    if (!versionExists(arn)) {
      throw new AwsServiceError('ResourceNotFound', `Resource not found: version '${arn}' does not exist`);
    }
  }
  const total = routing.reduce((sum, entry) => sum + entry.weight, 0);
  if (total !== 100) invalid(`the weights sum to ${total}, not 100`);
}

/** `arn:...:stateMachine:<name>:<n>` -> the state machine's ARN and n; undefined for any other ARN. */
export function versionOf(arn: string): { machineArn: string; number: number } | undefined {
  const match = /^(arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+):(\d+)$/.exec(arn);
  if (!match?.[1] || !match[2]) return undefined;
  return { machineArn: match[1], number: Number(match[2]) };
}

/**
 * Picks the version a new execution runs on: entry i with probability
 * weight_i / 100. `random` is in [0, 1) (Math.random).
 */
export function pickVersion(routing: readonly RoutingEntry[], random: () => number): string {
  const draw = random() * 100;
  let upTo = 0;
  for (const entry of routing) {
    upTo += entry.weight;
    if (draw < upTo) return entry.stateMachineVersionArn;
  }
  // Only reached through rounding at the very top: the last entry with any weight.
  const last = [...routing].reverse().find((entry) => entry.weight > 0) ?? routing.at(-1);
  if (!last) throw new Error('empty routing');
  return last.stateMachineVersionArn;
}
