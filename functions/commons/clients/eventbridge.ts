import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

/** Built once per cold start (see ./dynamodb.ts). */
export const eventBridge = new EventBridgeClient({});
