import '../config/zod-locale';
import * as z from 'zod/mini';
import { GetCommand, UpdateCommand } from '../aws/dynamodb';
import { isConditionFailure } from '../dynamo/condition';
import type { DocumentClient } from '../payments/repository';
import type { ImportPorts } from './importer';

/**
 * An import's checkpoint in the payments table: IMPORT#<importId> / CHECKPOINT, the
 * last row published. The importId names one upload (object key and S3 sequencer),
 * so a retried S3 event resumes where its run stopped and a re-upload starts over
 * (and finds its rows already requested). The row only moves forward.
 */
const CheckpointItem = z.object({ lastPublishedRow: z.int().check(z.gte(0)) });

const checkpointKey = (importId: string) => ({ pk: `IMPORT#${importId}`, sk: 'CHECKPOINT' });

export class ImportCheckpointStore {
  constructor(
    private readonly doc: DocumentClient,
    private readonly tableName: string,
  ) {}

  /** The checkpoint port of one import run. */
  forImport(importId: string): ImportPorts['checkpoint'] {
    return { read: () => this.read(importId), write: (row) => this.advance(importId, row) };
  }

  async read(importId: string): Promise<number> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: checkpointKey(importId), ConsistentRead: true }),
    );
    return Item ? CheckpointItem.parse(Item).lastPublishedRow : 0;
  }

  /** Moves the checkpoint to `row`; a lower row (a stale writer) leaves it where it is. */
  async advance(importId: string, row: number): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: checkpointKey(importId),
          UpdateExpression: 'SET lastPublishedRow = :row, kind = :kind',
          ConditionExpression: 'attribute_not_exists(lastPublishedRow) OR lastPublishedRow < :row',
          ExpressionAttributeValues: { ':row': row, ':kind': 'import-checkpoint' },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
