import {
  type AwsCredentials,
  type CredentialProvider,
  resolveCredentials,
  resolveEndpoint,
  resolveRegion,
} from './credentials';
import { AwsServiceError } from './errors';
import { sendHttp, withRetries } from './http';
import { signV4 } from './sigv4';

/**
 * A lean client for AWS's JSON protocols (awsJson1_0 / awsJson1_1: DynamoDB,
 * SQS, EventBridge, Step Functions, KMS, Secrets Manager): POST / with
 * X-Amz-Target, signed with SigV4, retried as the SDK's standard mode does.
 * Functions bundle this instead of the SDK (a few KB against ~300 KB per
 * client); the per-service modules beside it give each its commands.
 */

export interface AwsClientConfig {
  readonly region?: string | undefined;
  readonly endpoint?: string | undefined;
  readonly credentials?: AwsCredentials | CredentialProvider | undefined;
  /** Attempts per call, the first included (default 3, as the SDK). */
  readonly maxAttempts?: number | undefined;
  /** Per attempt (default 30 s). */
  readonly requestTimeoutMs?: number | undefined;
}

export interface JsonService {
  /** SigV4 signing name, e.g. "dynamodb", "states". */
  readonly signingName: string;
  /** Public host in a region, e.g. (r) => `dynamodb.${r}.amazonaws.com`. */
  readonly host: (region: string) => string;
  /** X-Amz-Target prefix, e.g. "DynamoDB_20120810". */
  readonly targetPrefix: string;
  readonly jsonVersion: '1.0' | '1.1';
  /** The suffix of AWS_ENDPOINT_URL_<KEY>, e.g. "DYNAMODB". */
  readonly envKey: string;
}

const errorCode = (raw: unknown): string | undefined => {
  if (typeof raw !== 'string' || raw === '') return undefined;
  // "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", "X:http://..."
  return raw.slice(raw.lastIndexOf('#') + 1).split(':')[0];
};

const header = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

export class AwsJsonClient {
  readonly region: string;
  private readonly url: URL;

  constructor(
    private readonly service: JsonService,
    private readonly config: AwsClientConfig = {},
  ) {
    this.region = resolveRegion(config.region);
    this.url = resolveEndpoint(config.endpoint, service.envKey, service.host, this.region);
  }

  /** Calls one operation; answers its JSON output, or throws AwsServiceError / AwsNetworkError. */
  call<T = Record<string, unknown>>(operation: string, input: unknown): Promise<T> {
    const body = JSON.stringify(input ?? {});
    return withRetries(() => this.once<T>(operation, body), { maxAttempts: this.config.maxAttempts ?? 3 });
  }

  private async once<T>(operation: string, body: string): Promise<T> {
    const credentials = await resolveCredentials(this.config.credentials);
    const headers = signV4({
      method: 'POST',
      url: this.url,
      headers: {
        'content-type': `application/x-amz-json-${this.service.jsonVersion}`,
        'x-amz-target': `${this.service.targetPrefix}.${operation}`,
        'user-agent': 'paysaga-lean-aws/1',
      },
      body,
      service: this.service.signingName,
      region: this.region,
      credentials,
    });
    const answer = await sendHttp('POST', this.url, headers, body, this.config.requestTimeoutMs ?? 30_000);
    const text = answer.body.toString('utf8');
    let parsed: Record<string, unknown> = {};
    if (text !== '') {
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        if (answer.status < 300)
          throw new AwsServiceError(
            'SerializationException',
            `unreadable answer to ${operation}`,
            answer.status,
            undefined,
          );
      }
    }
    if (answer.status >= 200 && answer.status < 300) return parsed as T;
    // SQS (JSON) also names its query-protocol code: "AWS.SimpleQueueService.NonExistentQueue;Sender".
    const code =
      errorCode(parsed.__type) ??
      errorCode(parsed.code) ??
      errorCode(header(answer.headers['x-amzn-errortype']));
    const message = String(parsed.message ?? parsed.Message ?? '');
    const requestId =
      header(answer.headers['x-amzn-requestid']) ?? header(answer.headers['x-amz-request-id']);
    const { __type: _type, message: _m, Message: _M, ...details } = parsed;
    throw new AwsServiceError(code, message, answer.status, requestId, details);
  }
}
