import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { SagaTimeline } from '../history/timeline';
import { paymentKey } from './keys';
import { ArchiveRecordSchema } from './records';
import { ArchiveRecordExistsError, type DocumentClient, PaymentsRepository } from './repository';

export { ArchiveRecordExistsError };

/**
 * The immutable saga history archive: one record per payment and execution
 * run (a redriven execution that ends again gets its own record), written once
 * with a conditional put. Writing the same timeline again is a no-op; another
 * timeline under the same id is refused (ArchiveRecordExistsError).
 *
 *   PAYMENT#<paymentId> / ARCHIVE#<executionName>#<redriveCount, 4 digits>
 */
export interface ArchivedTimeline {
  readonly archiveId: string;
  readonly archivedAt: string;
  readonly contentHash: string;
  readonly timeline: SagaTimeline;
}

const ARCHIVE_PREFIX = 'ARCHIVE#';

export function archiveIdOf(timeline: Pick<SagaTimeline, 'executionName' | 'redriveCount'>): string {
  return `${timeline.executionName}#${String(timeline.redriveCount).padStart(4, '0')}`;
}

export class HistoryArchive {
  private readonly repository: PaymentsRepository;

  constructor(
    private readonly doc: DocumentClient,
    private readonly tableName: string,
    now: () => Date = () => new Date(),
  ) {
    this.repository = new PaymentsRepository(doc, tableName, now);
  }

  /** Archives a finished saga's timeline; `written` is false when the same record was already there. */
  async put(timeline: SagaTimeline): Promise<{ archiveId: string; written: boolean }> {
    if (timeline.outcome.executionStatus === 'RUNNING') {
      throw new ArchiveRefusedError(
        `execution ${timeline.executionArn} is still running; only finished sagas are archived`,
      );
    }
    const body = SagaTimeline.parse(timeline);
    const archiveId = archiveIdOf(body);
    const written = await this.repository.putArchiveRecord(body.paymentId, archiveId, body);
    return { archiveId, written };
  }

  /** Every archived run of a payment's saga, oldest first. */
  async list(paymentId: string): Promise<ArchivedTimeline[]> {
    return this.query(paymentId, true);
  }

  /** The most recent archived run, or undefined when the payment has none. */
  async latest(paymentId: string): Promise<ArchivedTimeline | undefined> {
    return (await this.query(paymentId, false, 1))[0];
  }

  private async query(paymentId: string, forward: boolean, limit?: number): Promise<ArchivedTimeline[]> {
    const found: ArchivedTimeline[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': paymentKey(paymentId).pk, ':prefix': ARCHIVE_PREFIX },
          ScanIndexForward: forward,
          ConsistentRead: true,
          ...(limit !== undefined && { Limit: limit }),
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const record = ArchiveRecordSchema.parse(item);
        found.push({
          archiveId: record.archiveId,
          archivedAt: record.archivedAt,
          contentHash: record.contentHash,
          timeline: SagaTimeline.parse(record.body),
        });
      }
      ExclusiveStartKey = limit !== undefined && found.length >= limit ? undefined : page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return found;
  }
}

/** A timeline that may not be archived (the saga has not ended). */
export class ArchiveRefusedError extends Error {
  override readonly name = 'ArchiveRefusedError';
}
