import { DynamoDocumentClient } from '../../../core/aws/dynamodb';

/**
 * Clients are built once per cold start, one module per service so a function
 * bundles only the clients it uses. DynamoDB's is the lean document client
 * (core/aws/dynamodb.ts: no AWS SDK in the bundle). Endpoint and region come
 * from the standard AWS environment (AWS_ENDPOINT_URL points them at the local
 * runtime), read at the first call.
 */
export const documentClient = new DynamoDocumentClient({ marshallOptions: { removeUndefinedValues: true } });

/**
 * The same client, for what speaks DynamoDB's own attribute values
 * (idempotency-store.ts: `call`) and for hooks around every call of the
 * handlers (`middlewareStack.add`: the cost bench, the saga harness's faults).
 */
export const dynamoDb = documentClient;
