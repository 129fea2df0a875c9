import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * SDK clients are built once per cold start, one module per service so a
 * function bundles only the clients it uses. Endpoint and region come from the
 * standard AWS environment (AWS_ENDPOINT_URL points them at the local runtime).
 */
export const dynamoDb = new DynamoDBClient({});
export const documentClient = DynamoDBDocumentClient.from(dynamoDb, {
  marshallOptions: { removeUndefinedValues: true },
});
