import type { GetSecretValueRequest, GetSecretValueResponse } from '@aws-sdk/client-secrets-manager';
import type { JsonService } from './json-client';
import {
  JsonServiceClient,
  jsonCommand,
  type ServiceClientConfig,
  serviceErrorClass,
} from './service-client';

/**
 * AWS Secrets Manager over the lean transport (JSON 1.1), shaped as
 * @aws-sdk/client-secrets-manager: GetSecretValue (CreatedDate as Date,
 * SecretBinary as Uint8Array, as the SDK).
 */

const SECRETS: JsonService = {
  signingName: 'secretsmanager',
  host: (region) => `secretsmanager.${region}.amazonaws.com`,
  targetPrefix: 'secretsmanager',
  jsonVersion: '1.1',
  envKey: 'SECRETS_MANAGER',
};

export class GetSecretValueCommand extends jsonCommand<GetSecretValueRequest, GetSecretValueResponse>(
  'GetSecretValue',
  (answer) => ({
    ...answer,
    ...(typeof answer.CreatedDate === 'number' && {
      CreatedDate: new Date(Math.round(answer.CreatedDate * 1000)),
    }),
    ...(typeof answer.SecretBinary === 'string' && {
      SecretBinary: new Uint8Array(Buffer.from(answer.SecretBinary, 'base64')),
    }),
  }),
) {}

export const ResourceNotFoundException = serviceErrorClass('ResourceNotFoundException');
export const DecryptionFailure = serviceErrorClass('DecryptionFailure');

export class SecretsManagerClient extends JsonServiceClient {
  constructor(config: ServiceClientConfig = {}) {
    super(SECRETS, config, { ResourceNotFoundException, DecryptionFailure });
  }
}

/** A secret could not be read (the cause is the service's error). */
export class GetParameterError extends Error {
  override readonly name = 'GetParameterError';
}

/** A secret is not the JSON asked for. */
export class TransformParameterError extends Error {
  override readonly name = 'TransformParameterError';
}

export interface SecretsProviderOptions {
  /** The client to read with (tests pass a mocked one); else one on the environment's settings. */
  readonly awsSdkV3Client?: Pick<SecretsManagerClient, 'send'>;
}

export interface SecretGetOptions {
  readonly transform?: 'json';
  /** Seconds a read value is served from the cache (default 5, as Powertools). */
  readonly maxAge?: number;
  /** Read again even if a cached value is still fresh. */
  readonly forceFetch?: boolean;
}

/**
 * Reads secrets with a cache, as Powertools Parameters' SecretsProvider does
 * (the same `get(name, { transform, maxAge, forceFetch })`, cached per name and
 * transform for maxAge seconds, a failed read never cached), without bundling
 * the SDK client Powertools builds.
 */
export class SecretsProvider {
  private readonly client: Pick<SecretsManagerClient, 'send'>;
  private readonly cache = new Map<string, { readonly value: unknown; readonly expires: number }>();

  constructor(options: SecretsProviderOptions = {}) {
    this.client = options.awsSdkV3Client ?? new SecretsManagerClient();
  }

  async get(name: string, options: SecretGetOptions = {}): Promise<unknown> {
    const key = `${name},${options.transform ?? ''}`;
    const cached = this.cache.get(key);
    if (!options.forceFetch && cached && cached.expires >= Date.now()) return cached.value;
    let raw: string | Uint8Array | undefined;
    try {
      const answer = await this.client.send(new GetSecretValueCommand({ SecretId: name }));
      raw = answer.SecretString ?? answer.SecretBinary;
    } catch (error) {
      throw new GetParameterError((error as Error).message, { cause: error });
    }
    if (raw === undefined) return undefined;
    let value: unknown = raw;
    if (options.transform === 'json') {
      try {
        value = JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8'));
      } catch (error) {
        throw new TransformParameterError(`Unable to transform value using 'json' transform: ${name}`, {
          cause: error,
        });
      }
    }
    const maxAge = options.maxAge ?? 5;
    if (maxAge > 0) this.cache.set(key, { value, expires: Date.now() + maxAge * 1000 });
    return value;
  }
}
