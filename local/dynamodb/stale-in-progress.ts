import { DeleteItemCommand, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { IDEMPOTENCY_TABLE } from '../../core/config/names';
import { isConditionFailure } from '../../core/dynamo/condition';

/**
 * Deletes the Powertools idempotency records left INPROGRESS by handlers that
 * died with the previous runtime process. On AWS such a record blocks the
 * step (StepInProgressError) until its in-progress expiry, the Lambda's
 * timeout, often past the saga's retries. Locally the data dir lock proves no
 * invocation survived, so the resumed step may run now; it is idempotent by
 * design (ledger per (paymentId, operation), gateway Idempotency-Key).
 * Records still INPROGRESS when deleted (conditional) are the only ones removed.
 */
export async function clearStaleInProgress(client: DynamoDBClient, tableName: string): Promise<number> {
  let cleared = 0;
  let ExclusiveStartKey: Record<string, never> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: '#status = :inProgress',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':inProgress': { S: 'INPROGRESS' } },
        ...(ExclusiveStartKey && { ExclusiveStartKey }),
      }),
    );
    for (const item of page.Items ?? []) {
      const key = item[IDEMPOTENCY_TABLE.partitionKey];
      if (!key) continue;
      try {
        await client.send(
          new DeleteItemCommand({
            TableName: tableName,
            Key: { [IDEMPOTENCY_TABLE.partitionKey]: key },
            ConditionExpression: '#status = :inProgress',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':inProgress': { S: 'INPROGRESS' } },
          }),
        );
        cleared += 1;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    ExclusiveStartKey = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (ExclusiveStartKey);
  return cleared;
}
