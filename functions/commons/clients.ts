import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * SDK clients, built once per cold start and shared by every invocation.
 * Endpoint and region come from the standard AWS environment (AWS_ENDPOINT_URL
 * points them at the local runtime), so no code differs between AWS and local.
 */
export const dynamoDb = new DynamoDBClient({});
export const documentClient = DynamoDBDocumentClient.from(dynamoDb, {
  marshallOptions: { removeUndefinedValues: true },
});
export const stepFunctions = new SFNClient({});
export const sqs = new SQSClient({});
export const eventBridge = new EventBridgeClient({});
