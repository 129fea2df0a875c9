import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** A conditional write lost (the item exists, or not in the state asked for): an answer, not a failure. */
export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}
