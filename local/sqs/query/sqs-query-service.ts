import { randomUUID } from 'node:crypto';
import { AwsServiceError } from '../../edge/aws-json-service';
import type { AwsQueryService, QueryAnswer } from '../../edge/edge-server';
import { shortErrorCode } from '../sqs-error';
import { QueryParameterError, queryToJson } from './query-request';
import { SQS_QUERY_OPERATIONS } from './sqs-query-operations';
import { errorXml, successXml } from './xml-response';

/** The XML namespace of SQS's query answers. */
export const SQS_QUERY_NAMESPACE = 'http://queue.amazonaws.com/doc/2012-11-05/';
const XML = 'text/xml';

/**
 * The query-protocol codes and HTTP statuses of SQS errors whose JSON name
 * differs (the `awsQueryError` traits of the SQS model, as @aws-sdk/client-sqs
 * carries them): a query client matches `AWS.SimpleQueueService.NonExistentQueue`,
 * not `QueueDoesNotExist`. Errors not listed keep their JSON name and status.
 */
const QUERY_ERRORS: Readonly<Record<string, readonly [code: string, status: number]>> = {
  BatchEntryIdsNotDistinct: ['AWS.SimpleQueueService.BatchEntryIdsNotDistinct', 400],
  BatchRequestTooLong: ['AWS.SimpleQueueService.BatchRequestTooLong', 400],
  EmptyBatchRequest: ['AWS.SimpleQueueService.EmptyBatchRequest', 400],
  InvalidAddress: ['InvalidAddress', 404],
  InvalidBatchEntryId: ['AWS.SimpleQueueService.InvalidBatchEntryId', 400],
  InvalidSecurity: ['InvalidSecurity', 403],
  MessageNotInflight: ['AWS.SimpleQueueService.MessageNotInflight', 400],
  OverLimit: ['OverLimit', 403],
  PurgeQueueInProgress: ['AWS.SimpleQueueService.PurgeQueueInProgress', 403],
  QueueDeletedRecently: ['AWS.SimpleQueueService.QueueDeletedRecently', 400],
  QueueDoesNotExist: ['AWS.SimpleQueueService.NonExistentQueue', 400],
  QueueNameExists: ['QueueAlreadyExists', 400],
  ReceiptHandleIsInvalid: ['ReceiptHandleIsInvalid', 404],
  RequestThrottled: ['RequestThrottled', 403],
  ResourceNotFoundException: ['ResourceNotFoundException', 404],
  TooManyEntriesInBatchRequest: ['AWS.SimpleQueueService.TooManyEntriesInBatchRequest', 400],
  UnsupportedOperation: ['AWS.SimpleQueueService.UnsupportedOperation', 400],
};

/** The SQS operations, as the JSON protocol reaches them (SqsService.call). */
export interface SqsOperations {
  call<T = Record<string, unknown>>(operation: string, input: Record<string, unknown>): Promise<T>;
}

export interface SqsQueryServiceOptions {
  readonly sqs: SqsOperations;
  /** Called with any error that became an InternalError answer, for the runtime's log. */
  readonly onInternalError?: (error: unknown, action: string) => void;
}

function failure(requestId: string, status: number, code: string, message: string): QueryAnswer {
  return {
    statusCode: status,
    contentType: XML,
    body: errorXml({
      namespace: SQS_QUERY_NAMESPACE,
      requestId,
      type: status >= 500 ? 'Receiver' : 'Sender',
      code,
      message,
    }),
  };
}

/**
 * SQS's query protocol (`Action=SendMessage&Version=2012-11-05&...`, XML
 * answers), spoken by the AWS CLI v2 before 2.13 and boto3 before 1.28.
 * It adapts each request to the JSON input of the same operation, runs it
 * through the one SQS implementation, and writes the JSON answer as XML.
 */
export class SqsQueryService implements AwsQueryService {
  readonly signingName = 'sqs';

  constructor(private readonly options: SqsQueryServiceOptions) {}

  async handleQuery(params: URLSearchParams): Promise<QueryAnswer> {
    const requestId = randomUUID();
    const action = params.get('Action') ?? '';
    const operation = Object.hasOwn(SQS_QUERY_OPERATIONS, action) ? SQS_QUERY_OPERATIONS[action] : undefined;
    if (!operation) {
      return failure(
        requestId,
        400,
        'InvalidAction',
        `The action ${action || '(none)'} is not valid for this endpoint; the local SQS serves ${Object.keys(SQS_QUERY_OPERATIONS).join(', ')}.`,
      );
    }
    try {
      const result = await this.options.sqs.call(action, queryToJson(operation.input, params));
      return {
        statusCode: 200,
        contentType: XML,
        body: successXml({
          action,
          namespace: SQS_QUERY_NAMESPACE,
          requestId,
          result,
          ...(operation.output && { shape: operation.output }),
        }),
      };
    } catch (error) {
      if (error instanceof QueryParameterError)
        return failure(requestId, 400, 'InvalidParameterValue', error.message);
      if (error instanceof AwsServiceError) {
        const code = shortErrorCode(error.type);
        const [queryCode, status] = QUERY_ERRORS[code] ?? [code, error.statusCode];
        return failure(requestId, status, queryCode, error.message);
      }
      this.options.onInternalError?.(error, action);
      return failure(
        requestId,
        500,
        'InternalError',
        'the local SQS failed to process the request; see its log',
      );
    }
  }
}
