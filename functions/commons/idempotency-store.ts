import {
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
  IdempotencyRecordStatus,
  PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS,
} from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDocumentClient } from '../../core/aws/dynamodb';
import { isConditionFailure } from '../../core/dynamo/condition';

/**
 * Powertools' DynamoDBPersistenceLayer (@aws-lambda-powertools/idempotency
 * 2.35, lib/esm/persistence/DynamoDBPersistenceLayer.js) over the lean
 * DynamoDB client instead of @aws-sdk/client-dynamodb: the same items, the
 * same requests (GetItem with ConsistentRead, the conditional PutItem, the
 * UpdateItem, DeleteItem) marshalled the same way, the same errors. Only the
 * simple key is kept (paysaga's table has no sort key).
 * test/integration/idempotency-store.test.ts runs the same scenarios against
 * both layers and compares the stored items and the answers.
 */

export interface LeanPersistenceLayerOptions {
  readonly tableName: string;
  readonly client: Pick<DynamoDocumentClient, 'call'>;
  readonly keyAttr?: string;
  readonly expiryAttr?: string;
  readonly statusAttr?: string;
  readonly inProgressExpiryAttr?: string;
  readonly dataAttr?: string;
  readonly validationKeyAttr?: string;
}

type Wire = Record<string, unknown>;

export class LeanDynamoPersistenceLayer extends BasePersistenceLayer {
  private readonly client: Pick<DynamoDocumentClient, 'call'>;
  private readonly tableName: string;
  private readonly keyAttr: string;
  private readonly expiryAttr: string;
  private readonly statusAttr: string;
  private readonly inProgressExpiryAttr: string;
  private readonly dataAttr: string;
  private readonly validationKeyAttr: string;

  constructor(options: LeanPersistenceLayerOptions) {
    super();
    this.client = options.client;
    this.tableName = options.tableName;
    this.keyAttr = options.keyAttr ?? 'id';
    this.expiryAttr = options.expiryAttr ?? PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS.expiryAttr;
    this.statusAttr = options.statusAttr ?? PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS.statusAttr;
    this.inProgressExpiryAttr =
      options.inProgressExpiryAttr ?? PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS.inProgressExpiryAttr;
    this.dataAttr = options.dataAttr ?? PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS.dataAttr;
    this.validationKeyAttr =
      options.validationKeyAttr ?? PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS.validationKeyAttr;
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    await this.client.call('DeleteItem', {
      TableName: this.tableName,
      Key: this.getKey(record.idempotencyKey),
    });
  }

  protected async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const result = await this.client.call('GetItem', {
      TableName: this.tableName,
      Key: this.getKey(idempotencyKey),
      ConsistentRead: true,
    });
    if (!result.Item) throw new IdempotencyItemNotFoundError();
    return this.recordOf(unmarshall(result.Item as never));
  }

  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const item: Wire = {
      ...this.getKey(record.idempotencyKey),
      ...marshall({ [this.expiryAttr]: record.expiryTimestamp, [this.statusAttr]: record.getStatus() }),
    };
    if (record.inProgressExpiryTimestamp !== undefined) {
      item[this.inProgressExpiryAttr] = { N: record.inProgressExpiryTimestamp.toString() };
    }
    if (this.isPayloadValidationEnabled() && record.payloadHash !== undefined) {
      item[this.validationKeyAttr] = { S: record.payloadHash };
    }
    // Saved when: the key does not exist, or it expired, or it is in progress past its in-progress expiry.
    const inProgressExpired = [
      '#status = :inprogress',
      'attribute_exists(#in_progress_expiry)',
      '#in_progress_expiry < :now_in_millis',
    ].join(' AND ');
    const now = Date.now();
    try {
      await this.client.call('PutItem', {
        TableName: this.tableName,
        Item: item,
        ExpressionAttributeNames: {
          '#id': this.keyAttr,
          '#expiry': this.expiryAttr,
          '#in_progress_expiry': this.inProgressExpiryAttr,
          '#status': this.statusAttr,
        },
        ExpressionAttributeValues: marshall({
          ':now': now / 1000,
          ':now_in_millis': now,
          ':inprogress': IdempotencyRecordStatus.INPROGRESS,
        }),
        ConditionExpression: ['attribute_not_exists(#id)', '#expiry < :now', `(${inProgressExpired})`].join(
          ' OR ',
        ),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The low-level call leaves the refused item marshalled, as the SDK's client does.
      const refused = (error as { Item?: Wire }).Item;
      throw new IdempotencyItemAlreadyExistsError(
        `Failed to put record for already existing idempotency key: ${record.idempotencyKey}`,
        refused && this.recordOf(unmarshall(refused as never)),
      );
    }
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    const fields = ['#expiry = :expiry', '#status = :status'];
    const names: Record<string, string> = { '#expiry': this.expiryAttr, '#status': this.statusAttr };
    const values: Record<string, unknown> = {
      ':expiry': record.expiryTimestamp,
      ':status': record.getStatus(),
    };
    if (record.responseData !== undefined) {
      fields.push('#response_data = :response_data');
      names['#response_data'] = this.dataAttr;
      values[':response_data'] = record.responseData;
    }
    if (this.isPayloadValidationEnabled()) {
      fields.push('#validation_key = :validation_key');
      names['#validation_key'] = this.validationKeyAttr;
      values[':validation_key'] = record.payloadHash;
    }
    await this.client.call('UpdateItem', {
      TableName: this.tableName,
      Key: this.getKey(record.idempotencyKey),
      UpdateExpression: `SET ${fields.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: marshall(values),
    });
  }

  private getKey(idempotencyKey: string): Wire {
    return marshall({ [this.keyAttr]: idempotencyKey });
  }

  private recordOf(item: Record<string, unknown>): IdempotencyRecord {
    return new IdempotencyRecord({
      idempotencyKey: item[this.keyAttr] as string,
      status: item[this.statusAttr] as IdempotencyRecord['getStatus'] extends () => infer S ? S : never,
      expiryTimestamp: item[this.expiryAttr] as number | undefined,
      inProgressExpiryTimestamp: item[this.inProgressExpiryAttr] as number | undefined,
      responseData: item[this.dataAttr] as IdempotencyRecord['responseData'],
      payloadHash: item[this.validationKeyAttr] as string | undefined,
    });
  }
}
