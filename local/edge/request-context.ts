import type { IncomingHttpHeaders } from 'node:http';
import type { AwsRequestContext } from './aws-json-service';

export const LOCAL_ACCOUNT_ID = '000000000000';
export const DEFAULT_REGION = 'us-east-1';

/**
 * Reads region and access key from the SigV4 credential scope
 * (`Credential=AKID/20240101/us-east-1/sqs/aws4_request`). Signatures are not
 * verified: the local runtime has no accounts, only one machine.
 */
export function requestContextOf(
  headers: IncomingHttpHeaders,
  defaultRegion = DEFAULT_REGION,
): AwsRequestContext {
  const authorization = headers.authorization ?? '';
  const match = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\//.exec(authorization);
  return {
    region: match?.[2] ?? defaultRegion,
    accountId: LOCAL_ACCOUNT_ID,
    ...(match?.[1] !== undefined && { accessKeyId: match[1] }),
  };
}
