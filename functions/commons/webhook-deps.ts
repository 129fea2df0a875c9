import { SendMessageBatchCommand, SendMessageCommand } from '../../core/aws/sqs';
import { required } from '../../core/config/env';
import { ApiRequestStore } from '../../core/frontdoor/api-request-store';
import { TopUpStore } from '../../core/topups/store';
import { type DeliverDeps, deliverSettings } from '../../core/webhooks/deliver';
import { WebhookDeliveryStore } from '../../core/webhooks/delivery-store';
import { WebhookEndpointStore } from '../../core/webhooks/endpoint-store';
import type { ClientLookup } from '../../core/webhooks/fanout';
import type { DeliveryMessage } from '../../core/webhooks/model';
import { postWebhook } from '../../core/webhooks/post';
import { kmsSecretCipher, type SecretCipher } from '../../core/webhooks/secret-cipher';
import { documentClient } from './clients/dynamodb';
import { kms } from './clients/kms';
import { sqs } from './clients/sqs';
import { env } from './env';

/** What the webhook functions share, built once per cold start from the environment. */
export const webhookEndpoints = (): WebhookEndpointStore =>
  new WebhookEndpointStore(documentClient, required(env, 'paymentsTable'));

export const webhookDeliveries = (): WebhookDeliveryStore =>
  new WebhookDeliveryStore(documentClient, required(env, 'paymentsTable'));

export const secretCipher = (): SecretCipher => kmsSecretCipher(kms, required(env, 'webhookKeyId'));

export const timeScale = (): number => env.webhookTimeScale;

export function clientLookup(): ClientLookup {
  const table = required(env, 'paymentsTable');
  const requests = new ApiRequestStore(documentClient, table);
  const topUps = new TopUpStore(documentClient, table);
  return {
    paymentClient: async (paymentId) => (await requests.get(paymentId))?.clientId,
    topUpClient: async (topUpId) => (await topUps.get(topUpId))?.clientId,
  };
}

const attributes = (message: DeliveryMessage) => ({
  eventId: { DataType: 'String', StringValue: message.eventId },
  endpointId: { DataType: 'String', StringValue: message.endpointId },
});

/** Puts delivery messages on the delivery queue, ten per request (SQS's batch limit). */
export async function enqueueDeliveries(
  messages: readonly DeliveryMessage[],
  delaySeconds = 0,
): Promise<void> {
  const queueUrl = required(env, 'webhookDeliveryQueueUrl');
  for (let i = 0; i < messages.length; i += 10) {
    const batch = messages.slice(i, i + 10);
    const { Failed = [] } = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((message, index) => ({
          Id: String(index),
          MessageBody: JSON.stringify(message),
          DelaySeconds: delaySeconds,
          MessageAttributes: attributes(message),
        })),
      }),
    );
    if (Failed.length > 0) throw new Error(`SendMessageBatch failed for ${Failed.length} delivery messages`);
  }
}

/** The delivery function's dependencies: the stores, the cipher, the queues, the HTTP attempt. */
export function deliverDeps(): DeliverDeps {
  const scale = timeScale();
  return {
    endpoints: webhookEndpoints(),
    deliveries: webhookDeliveries(),
    cipher: secretCipher(),
    requeue: async (message, delaySeconds) => {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: required(env, 'webhookDeliveryQueueUrl'),
          MessageBody: JSON.stringify(message),
          DelaySeconds: delaySeconds,
          MessageAttributes: attributes(message),
        }),
      );
    },
    deadLetter: async (message) => {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: required(env, 'webhookDlqUrl'),
          MessageBody: JSON.stringify(message),
          MessageAttributes: attributes(message),
        }),
      );
    },
    post: postWebhook,
    settings: deliverSettings(scale, env.webhookUrlMode),
    now: () => new Date(),
  };
}
