/**
 * A conditional write lost (the item exists, or not in the state asked for): an answer, not a failure.
 * Tested by name, the service's error code, whichever client threw it (core/aws/dynamodb.ts, the SDK, a test fake).
 */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * The item a refused condition found, when the write asked for it
 * (ReturnValuesOnConditionCheckFailure: ALL_OLD), unmarshalled by the document
 * client; undefined otherwise (dynalite never returns it).
 */
export function refusedItem(error: unknown): Record<string, unknown> | undefined {
  if (!isConditionFailure(error)) return undefined;
  const item = (error as { Item?: unknown }).Item;
  return item && typeof item === 'object' ? (item as Record<string, unknown>) : undefined;
}
