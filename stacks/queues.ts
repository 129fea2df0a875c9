import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { QUEUES, type QueueKey, resourceNames } from '../core/config/names';

export interface QueueOptions {
  readonly stage: string;
  readonly key: IKey;
  readonly removalPolicy: RemovalPolicy;
  /** The dead-letter queues already created, by key; a source queue's DLQ must be among them. */
  readonly deadLetterQueues?: Partial<Record<QueueKey, Queue>>;
}

function constructId(key: QueueKey): string {
  return `${key.charAt(0).toUpperCase()}${key.slice(1)}Queue`;
}

/**
 * One of paysaga's queues, exactly as names.ts describes it: name, visibility,
 * retention and (for source queues) the DLQ and maxReceiveCount of its redrive
 * policy. Every queue is encrypted with the data key and refuses plain HTTP.
 */
export function paysagaQueue(scope: Construct, key: QueueKey, options: QueueOptions): Queue {
  const spec = QUEUES[key];
  const redrive = spec.redrive;
  const deadLetterQueue = redrive && options.deadLetterQueues?.[redrive.deadLetterQueue];
  if (redrive && !deadLetterQueue)
    throw new Error(`queue ${key} redrives to ${redrive.deadLetterQueue}: create that DLQ first`);
  return new Queue(scope, constructId(key), {
    queueName: resourceNames(options.stage).queues[key],
    visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
    retentionPeriod: Duration.days(spec.retentionDays),
    encryption: QueueEncryption.KMS,
    encryptionMasterKey: options.key,
    // Fewer KMS calls per message (and lower cost); 5 minutes is SQS's default.
    dataKeyReuse: Duration.minutes(5),
    enforceSSL: true,
    removalPolicy: options.removalPolicy,
    ...(redrive &&
      deadLetterQueue && {
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: redrive.maxReceiveCount },
      }),
  });
}
