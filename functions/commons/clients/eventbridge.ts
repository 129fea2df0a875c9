import { EventBridgeClient } from '../../../core/aws/eventbridge';

/** Built once per cold start (see ./dynamodb.ts): the lean client of core/aws/eventbridge.ts, no AWS SDK in the bundle. */
export const eventBridge = new EventBridgeClient({});
