/**
 * Credentials for the lean AWS clients (./json-client.ts, ./s3.ts). On Lambda
 * they are always in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN), so functions need no provider chain; payctl passes the
 * SDK's provider chain (profiles, SSO) as a function, which has this shape.
 */

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

export type CredentialProvider = () => Promise<AwsCredentials>;

export class AwsConfigError extends Error {
  override readonly name = 'AwsConfigError';
}

/** The credentials the environment holds, read at each call (Lambda may rotate them between invocations). */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): AwsCredentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new AwsConfigError(
      'No AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (Lambda sets them), or pass credentials to the client',
    );
  }
  return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined };
}

export async function resolveCredentials(
  source: AwsCredentials | CredentialProvider | undefined,
): Promise<AwsCredentials> {
  if (!source) return credentialsFromEnv();
  return typeof source === 'function' ? source() : source;
}

/** The region: the client's own, else AWS_REGION / AWS_DEFAULT_REGION. */
export function resolveRegion(region: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const found = region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!found) throw new AwsConfigError('No AWS region: set AWS_REGION or pass region to the client');
  return found;
}

/**
 * The endpoint as the SDK resolves it: the client's own, else
 * AWS_ENDPOINT_URL_<SERVICE> (e.g. AWS_ENDPOINT_URL_DYNAMODB), else
 * AWS_ENDPOINT_URL, else the service's public endpoint in the region.
 */
export function resolveEndpoint(
  endpoint: string | undefined,
  envKey: string,
  defaultHost: (region: string) => string,
  region: string,
  env: NodeJS.ProcessEnv = process.env,
): URL {
  const found = endpoint ?? env[`AWS_ENDPOINT_URL_${envKey}`] ?? env.AWS_ENDPOINT_URL;
  return new URL(found ?? `https://${defaultHost(region)}`);
}
