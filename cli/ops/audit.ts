import { type AuditEntry, AuditLog, type OpsAction, type RecordedAction } from '../../core/audit/audit-log';
import type { OpsDeps } from './deps';

export function auditLogFor(deps: OpsDeps): AuditLog {
  return new AuditLog({
    doc: deps.clients.doc,
    paymentsTable: deps.names.tables.payments,
    eventBridge: deps.clients.eventBridge,
    eventBusName: deps.names.eventBus,
  });
}

/** Writes the audit record of an action (who: the caller's identity) and publishes OpsActionPerformed. */
export async function recordOpsAction(
  deps: OpsDeps,
  action: Omit<OpsAction, 'actor' | 'stage'>,
): Promise<RecordedAction> {
  return auditLogFor(deps).record({ ...action, actor: await deps.identity(), stage: deps.stage });
}

/** Audit entries since a time, oldest first. */
export async function listAudit(deps: OpsDeps, since: Date): Promise<AuditEntry[]> {
  return auditLogFor(deps).list(since);
}
