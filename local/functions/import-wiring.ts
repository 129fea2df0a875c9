import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { bucketNames } from '../../core/config/history';
import { IMPORT_BUCKET_LAYOUT } from '../../core/config/imports';
import { FUNCTIONS, type ResourceNames } from '../../core/config/names';
import { encodeS3EventKey } from '../../core/imports/s3-event';
import type { RuntimeLog } from '../edge/runtime-log';
import { SqsPoller } from '../intake/sqs-poller';
import type { ObjectCreated, S3Service } from '../s3/s3-service';
import type { SqsService } from '../sqs/sqs-service';
import type { FunctionInvoker } from './invoker';

/** How soon a failed import is tried again (S3's asynchronous invocation retries after a minute or two). */
const RETRY_AFTER_SECONDS = 5;

/** The S3 event notification S3 sends a Lambda for one created object (the fields functions/import-csv.ts reads). */
export function objectCreatedEvent(event: ObjectCreated, region: string) {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: region,
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        s3: {
          s3SchemaVersion: '1.0',
          bucket: { name: event.bucket, arn: `arn:aws:s3:::${event.bucket}` },
          object: {
            key: encodeS3EventKey(event.key),
            size: event.size,
            eTag: event.etag.replaceAll('"', ''),
            sequencer: event.sequencer,
          },
        },
      },
    ],
  };
}

/**
 * The CSV batch import, as stacks/Imports.ts wires it: the imports bucket's ObjectCreated
 * notifications under incoming/ go to the importCsv function. S3 invokes it asynchronously
 * and retries; locally each notification is first put in a buffer queue (the upload is answered
 * once it is there, so a restart loses none), then handed to the function one at a time,
 * deleted on success and retried a few seconds after a failure (the import resumes from its checkpoint).
 */
export async function startImports(deps: {
  readonly names: ResourceNames;
  readonly region: string;
  readonly sqs: SqsService;
  readonly s3: S3Service;
  readonly functions: FunctionInvoker;
  readonly log: RuntimeLog;
}): Promise<{ stop(): Promise<void> }> {
  const { sqs, s3, log } = deps;
  const bucket = bucketNames(deps.names.stage).imports;
  s3.ensureBucket(bucket);
  const bufferQueue = `local-s3-notifications-${bucket}`;
  await sqs.ensureQueue(bufferQueue, {
    VisibilityTimeout: String(FUNCTIONS.importCsv.timeoutSeconds + 60),
    MessageRetentionPeriod: String(14 * 24 * 3600),
  });
  // This runtime is the buffer's only consumer: what the previous process had received it never finished.
  await sqs.releaseInFlight(bufferQueue);
  s3.onObjectCreated(async (created) => {
    if (created.bucket !== bucket || !created.key.startsWith(IMPORT_BUCKET_LAYOUT.incomingPrefix)) return;
    await sqs.call('SendMessage', {
      QueueUrl: sqs.queueUrl(bufferQueue),
      MessageBody: JSON.stringify(objectCreatedEvent(created, deps.region)),
    });
  });
  const poller = new SqsPoller({
    sqs,
    queueName: bufferQueue,
    region: deps.region,
    batchSize: 1,
    concurrency: 1,
    onError: (error) => log.error('import notification poll failed', error),
    invoke: async (batch: SQSEvent): Promise<SQSBatchResponse> => {
      const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
      for (const record of batch.Records) {
        try {
          await deps.functions.invoke('importCsv', JSON.parse(record.body));
        } catch (error) {
          log.error('CSV import failed; it is retried from its checkpoint', error);
          batchItemFailures.push({ itemIdentifier: record.messageId });
          await sqs.call('ChangeMessageVisibility', {
            QueueUrl: sqs.queueUrl(bufferQueue),
            ReceiptHandle: record.receiptHandle,
            VisibilityTimeout: RETRY_AFTER_SECONDS,
          });
        }
      }
      return { batchItemFailures };
    },
  });
  poller.start();
  return { stop: () => poller.stop() };
}
