import { beforeAll, describe, expect, it } from 'vitest';
import { QUEUES, resourceNames } from '../../core/config/names';
import { WEBHOOKS } from '../../core/config/webhooks';
import type { CfnApp, CfnResource } from './cfn';
import { synthesizeCfnApp } from './synth-helper';

type Props = Record<string, unknown>;
const props = (resource: CfnResource): Props => resource.Properties ?? {};
const STAGE = 'prod';
const n = resourceNames(STAGE);

function findBy(cfn: CfnApp, type: string, property: string, value: string): [string, string, CfnResource] {
  const found = cfn.resourcesOfType(type).find(([s, , r]) => cfn.render(s, props(r)[property]) === value);
  if (!found) throw new Error(`no ${type} with ${property} ${value}`);
  return found;
}

describe(`Webhooks stack (stage ${STAGE})`, () => {
  let cfn: CfnApp;
  beforeAll(async () => {
    cfn = await synthesizeCfnApp(STAGE);
  });

  it.each([
    ['webhookFanout', 'notification'],
    ['webhookDeliver', 'webhookDelivery'],
  ] as const)('feeds %s from the %s queue with partial batch responses', (fnKey, queueKey) => {
    // Act
    const mapping = cfn
      .resourcesOfType('AWS::Lambda::EventSourceMapping')
      .find(([s, , m]) => cfn.render(s, props(m).FunctionName) === n.functions[fnKey]);
    if (!mapping) throw new Error(`no event source for ${fnKey}`);
    const [stack, , resource] = mapping;
    const p = cfn.renderDeep(stack, props(resource)) as Props;
    const [queueStack, queueId] = findBy(cfn, 'AWS::SQS::Queue', 'QueueName', n.queues[queueKey]);

    // Assess
    expect(p.EventSourceArn).toBe(cfn.arn(queueStack, queueId));
    expect(p.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('caps the delivery batches at once where each endpoint can hold only its slots (isolation)', () => {
    // Act
    const mapping = cfn
      .resourcesOfType('AWS::Lambda::EventSourceMapping')
      .find(([s, , m]) => cfn.render(s, props(m).FunctionName) === n.functions.webhookDeliver);
    if (!mapping) throw new Error('no event source for webhookDeliver');
    const p = cfn.renderDeep(mapping[0], props(mapping[2])) as Props;
    const { slotsPerEndpoint, deliveryBatches } = WEBHOOKS.isolation;

    // Assess: more batches than one hanging endpoint's slots, so the others always find one free
    expect(p.ScalingConfig).toEqual({ MaximumConcurrency: deliveryBatches.aws });
    expect(deliveryBatches.aws).toBeGreaterThan(slotsPerEndpoint);
    expect(deliveryBatches.local).toBeGreaterThan(slotsPerEndpoint);
  });

  it('redrives the delivery queue to the webhook DLQ, KMS-encrypted, and alarms on its oldest message', () => {
    // Act
    const [stack, , delivery] = findBy(cfn, 'AWS::SQS::Queue', 'QueueName', n.queues.webhookDelivery);
    const [dlqStack, dlqId, dlq] = findBy(cfn, 'AWS::SQS::Queue', 'QueueName', n.queues.webhookDlq);
    const redrive = cfn.renderDeep(stack, props(delivery).RedrivePolicy) as Props;
    const alarm = cfn
      .resourcesOfType('AWS::CloudWatch::Alarm')
      .find(([s, , a]) => cfn.render(s, props(a).AlarmName) === `paysaga-${STAGE}-webhookDlq-oldest-age`);

    // Assess
    expect(redrive).toEqual({
      deadLetterTargetArn: cfn.arn(dlqStack, dlqId),
      maxReceiveCount: QUEUES.webhookDelivery.redrive?.maxReceiveCount,
    });
    expect(props(delivery).KmsMasterKeyId).toBeDefined();
    expect(props(dlq).KmsMasterKeyId).toBeDefined();
    expect(alarm).toBeDefined();
  });

  it('runs the webhook functions outside any VPC (outbound HTTPS without NAT)', () => {
    for (const fnKey of ['webhookFanout', 'webhookDeliver', 'apiWebhooks'] as const) {
      const [, , fn] = findBy(cfn, 'AWS::Lambda::Function', 'FunctionName', n.functions[fnKey]);
      expect(props(fn).VpcConfig).toBeUndefined();
    }
  });
});
