import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog, type OpsAction } from '../../core/audit/audit-log';
import { DynamoDocumentClient, PutCommand } from '../../core/aws/dynamodb';
import { EventBridgeClient, PutEventsCommand } from '../../core/aws/eventbridge';
import { DETAIL_TYPES, PAYSAGA_OPS_SOURCE } from '../../events/envelope';
import { OpsActionPerformedV1 } from '../../events/ops.v1';
import { mockLeanClient } from '../helpers/lean-aws-mock';

// The audit log against mocked clients: the paths a local service cannot produce on demand
// (a refused PutEvents entry). The real table and bus are covered by test/e2e/payctl-ops-*.
const doc = new DynamoDocumentClient({ region: 'eu-west-1' });
const eventBridge = new EventBridgeClient({ region: 'eu-west-1' });
const docMock = mockLeanClient(doc);
const busMock = mockLeanClient(eventBridge);
afterEach(() => {
  docMock.reset();
  busMock.reset();
});

const at = new Date('2026-11-22T10:30:00.000Z');
const log = new AuditLog({
  doc,
  paymentsTable: 'paysaga-dev-payments',
  eventBridge,
  eventBusName: 'paysaga-dev-bus',
  now: () => at,
});
const action: OpsAction = {
  actor: 'arn:aws:sts::123456789012:assumed-role/paysaga-dev-operations/jane',
  action: 'dlq.redrive',
  target: 'paysaga-dev-intake-dlq -> paysaga-dev-intake',
  stage: 'dev',
  count: 3,
  outcome: 'succeeded',
};

describe('Class: AuditLog', () => {
  describe('Method: record', () => {
    it('stores the record under AUDIT#<day> and publishes a valid OpsActionPerformed', async () => {
      // Prepare
      docMock.on(PutCommand).resolves({});
      busMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
      // Act
      const recorded = await log.record(action);
      // Assess
      const item = docMock.commandCalls(PutCommand)[0]?.args[0].input.Item;
      expect(item).toMatchObject({
        pk: 'AUDIT#2026-11-22',
        sk: `2026-11-22T10:30:00.000Z#${recorded.entry.auditId}`,
        kind: 'audit',
        actor: action.actor,
        action: 'dlq.redrive',
        detail: { stage: 'dev', count: 3, outcome: 'succeeded' },
      });
      const entry = busMock.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
      expect(entry).toMatchObject({
        EventBusName: 'paysaga-dev-bus',
        Source: PAYSAGA_OPS_SOURCE,
        DetailType: DETAIL_TYPES.opsActionPerformed,
      });
      const detail = OpsActionPerformedV1.parse(JSON.parse(entry?.Detail ?? '{}'));
      expect(detail).toMatchObject({
        auditId: recorded.entry.auditId,
        count: 3,
        occurredAt: at.toISOString(),
      });
      expect(recorded.published).toBe(true);
    });

    it('keeps the stored record and says so when the bus refuses the event', async () => {
      // Prepare
      docMock.on(PutCommand).resolves({});
      busMock.on(PutEventsCommand).resolves({
        FailedEntryCount: 1,
        Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
      });
      // Act
      const recorded = await log.record(action);
      // Assess
      expect(docMock.commandCalls(PutCommand)).toHaveLength(1);
      expect(recorded).toMatchObject({ published: false, publishError: 'InternalFailure: try again' });
    });

    it('refuses a malformed action before writing anything', async () => {
      // Act
      const refused = log.record({ ...action, count: -1 });
      // Assess
      await expect(refused).rejects.toThrow();
      expect(docMock.commandCalls(PutCommand)).toHaveLength(0);
      expect(busMock.commandCalls(PutEventsCommand)).toHaveLength(0);
    });
  });
});
