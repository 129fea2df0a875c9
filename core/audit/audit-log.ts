import * as zm from 'zod/mini';
import { DETAIL_TYPES, PAYSAGA_OPS_SOURCE } from '../../events/envelope';
import {
  type OpsActionName,
  type OpsActionOutcome,
  type OpsActionPerformed,
  OpsActionPerformedV1,
} from '../../events/ops.v1';
import { type EventBridgeClient, PutEventsCommand } from '../aws/eventbridge';
import { eventEntry } from '../outcomes/event-entry';
import { type DocumentClient, PaymentsRepository } from '../payments/repository';

/**
 * The operations audit trail: every state-changing operations action (a DLQ
 * redrive, a saga redrive, a cancel) is written to the payments table
 * (AUDIT#<yyyy-mm-dd> / <at>#<auditId>, through PaymentsRepository) and
 * published as OpsActionPerformed on the bus.
 */

export interface OpsAction {
  readonly actor: string;
  readonly action: OpsActionName;
  readonly target: string;
  readonly stage: string;
  /** Items changed: messages moved, executions redriven. */
  readonly count: number;
  readonly outcome: OpsActionOutcome;
  readonly message?: string;
}

/** A stored record read back: other writers may use other action names, so they read as plain strings. */
export interface AuditEntry extends Omit<OpsAction, 'action' | 'outcome'> {
  readonly auditId: string;
  readonly at: string;
  readonly action: string;
  readonly outcome: string;
}

export interface RecordedAction {
  readonly entry: AuditEntry;
  /** False when the table write succeeded but the event could not be published (the record stands). */
  readonly published: boolean;
  readonly publishError?: string;
}

export interface AuditLogOptions {
  readonly doc: DocumentClient;
  readonly paymentsTable: string;
  readonly eventBridge: Pick<EventBridgeClient, 'send'>;
  readonly eventBusName: string;
  readonly now?: () => Date;
}

const ActionFields = zm.omit(OpsActionPerformedV1, { schemaVersion: true, auditId: true, occurredAt: true });

export class AuditLog {
  private readonly payments: PaymentsRepository;

  constructor(private readonly options: AuditLogOptions) {
    this.payments = new PaymentsRepository(options.doc, options.paymentsTable, options.now);
  }

  /** Stores the record first (the table is the record of truth), then publishes the event. */
  async record(action: OpsAction): Promise<RecordedAction> {
    // Refuse a malformed action before anything is written, rather than store a record no event can carry.
    ActionFields.parse(action);
    const stored = await this.payments.putAuditRecord({
      actor: action.actor,
      action: action.action,
      target: action.target,
      detail: {
        stage: action.stage,
        count: action.count,
        outcome: action.outcome,
        ...(action.message !== undefined && { message: action.message.slice(0, 2000) }),
      },
    });
    const entry = toEntry(stored);
    const detail: OpsActionPerformed = OpsActionPerformedV1.parse({
      schemaVersion: '1',
      auditId: entry.auditId,
      actor: action.actor,
      action: action.action,
      target: action.target,
      stage: action.stage,
      count: action.count,
      outcome: action.outcome,
      ...(entry.message !== undefined && { message: entry.message }),
      occurredAt: entry.at,
    });
    try {
      const result = await this.options.eventBridge.send(
        new PutEventsCommand({
          Entries: [
            eventEntry(
              this.options.eventBusName,
              DETAIL_TYPES.opsActionPerformed,
              detail,
              PAYSAGA_OPS_SOURCE,
            ),
          ],
        }),
      );
      if (result.FailedEntryCount) {
        const failed = result.Entries?.[0];
        return {
          entry,
          published: false,
          publishError: `${failed?.ErrorCode ?? 'error'}: ${failed?.ErrorMessage ?? 'entry refused'}`,
        };
      }
      return { entry, published: true };
    } catch (error) {
      return {
        entry,
        published: false,
        publishError: error instanceof Error ? error.message : String(error),
      };
    }
  }

  /** Audit entries at or after `since`, oldest first. */
  async list(since: Date): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    for await (const record of this.payments.listAuditRecords(since)) entries.push(toEntry(record));
    return entries;
  }
}

type StoredRecord = Awaited<ReturnType<PaymentsRepository['putAuditRecord']>>;

/** An audit record as stored (detail is a flat map) read back as an entry; unknown values read as such. */
function toEntry(record: StoredRecord): AuditEntry {
  const detail = record.detail ?? {};
  return {
    auditId: record.auditId,
    at: record.at,
    actor: record.actor,
    action: record.action,
    target: record.target,
    stage: String(detail.stage ?? ''),
    count: typeof detail.count === 'number' ? detail.count : 0,
    outcome: String(detail.outcome ?? 'unknown'),
    ...(detail.message !== undefined && { message: String(detail.message) }),
  };
}
