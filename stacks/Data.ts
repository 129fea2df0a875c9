import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import type { StackContext } from 'sst/constructs';
import { APP_NAME, resourceNames, TABLE_KEYS, type TableKey } from '../core/config/names';
import { OUTBOX } from '../core/config/outbox';
import { TABLE_DEFINITIONS } from '../core/dynamo/tables';
import { stageConfig } from './stage-config';

const pascal = (key: string): string => `${key.charAt(0).toUpperCase()}${key.slice(1)}`;

/**
 * State: the customer-managed key that encrypts every table, queue, topic and
 * the gateway secret; the three tables (definitions from core/dynamo/tables.ts);
 * the gateway credentials secret.
 */
export function Data({ stack }: StackContext) {
  const config = stageConfig(stack.stage);
  const names = resourceNames(stack.stage);

  const key = new Key(stack, 'DataKey', {
    alias: `alias/${APP_NAME}-${stack.stage}-data`,
    description: `paysaga ${stack.stage}: tables, queues, alarm topic and gateway secret`,
    enableKeyRotation: true,
    removalPolicy: config.removalPolicy,
  });

  const tables = Object.fromEntries(
    TABLE_KEYS.map((tableKey) => {
      const def = TABLE_DEFINITIONS[tableKey];
      const table = new Table(stack, `${pascal(tableKey)}Table`, {
        tableName: names.tables[tableKey],
        partitionKey: { name: def.partitionKey, type: AttributeType.STRING },
        ...(def.sortKey && { sortKey: { name: def.sortKey, type: AttributeType.STRING } }),
        ...(def.ttlAttribute && { timeToLiveAttribute: def.ttlAttribute }),
        // The front door's outbox reads the new image of each API#REQUEST record (stacks/api-outbox.ts).
        ...(tableKey === OUTBOX.table && { stream: StreamViewType.NEW_IMAGE }),
        billingMode: BillingMode.PAY_PER_REQUEST,
        encryption: TableEncryption.CUSTOMER_MANAGED,
        encryptionKey: key,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: config.deletionProtection,
        removalPolicy: config.removalPolicy,
      });
      for (const index of def.globalIndexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
          sortKey: { name: index.sortKey, type: AttributeType.STRING },
        });
      }
      NagSuppressions.addResourceSuppressions(table, [
        {
          id: 'PCI.DSS.321-DynamoDBInBackupPlan',
          reason:
            'Point-in-time recovery (35 days, continuous) is the backup; an AWS Backup plan would duplicate it at extra cost',
        },
      ]);
      return [tableKey, table];
    }),
  ) as Record<TableKey, Table>;

  const gatewaySecret = new Secret(stack, 'GatewaySecret', {
    secretName: names.gatewaySecret,
    description:
      'Payment gateway (Stripe) credentials, set by operations after the first deploy; read only by charge and refund-charge',
    encryptionKey: key,
    removalPolicy: config.removalPolicy,
  });
  NagSuppressions.addResourceSuppressions(gatewaySecret, [
    {
      id: 'AwsSolutions-SMG4',
      reason:
        'Stripe API keys are rolled in the Stripe dashboard and then written here with put-secret-value; no rotation Lambda can create them',
    },
  ]);

  return { key, tables, gatewaySecret };
}
