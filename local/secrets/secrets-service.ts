import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import * as z from 'zod';
import { type AwsJsonService, AwsServiceError } from '../edge/aws-json-service';
import { readJsonFile, writeJsonDurably } from '../edge/durable-file';
import { DEFAULT_REGION, LOCAL_ACCOUNT_ID } from '../edge/request-context';
import { ListSecretsInput, listSecrets } from './list-secrets';

interface SecretVersion {
  readonly versionId: string;
  readonly secretString: string;
  readonly createdDate: number;
}

interface StoredSecret {
  readonly name: string;
  readonly arn: string;
  readonly createdDate: number;
  current: SecretVersion;
  previous?: SecretVersion;
}

const SecretIdInput = z.object({
  SecretId: z.string().min(1, 'SecretId is required'),
  VersionId: z.string().optional(),
  VersionStage: z.string().optional(),
});
const PutSecretValueInput = z.object({
  SecretId: z.string().min(1, 'SecretId is required'),
  SecretString: z.string({ error: 'SecretString is required (SecretBinary is not supported locally)' }),
  ClientRequestToken: z.string().optional(),
});
const CreateSecretInput = z.object({
  Name: z.string().min(1, 'Name is required'),
  SecretString: z.string({ error: 'SecretString is required (SecretBinary is not supported locally)' }),
  ClientRequestToken: z.string().optional(),
});

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new AwsServiceError('InvalidParameterException', z.prettifyError(result.error));
  return result.data;
}

const notFound = () =>
  new AwsServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");

/**
 * Secrets Manager's GetSecretValue / PutSecretValue (plus CreateSecret,
 * DescribeSecret and ListSecrets for tooling and other AWS clients). Secrets live in `<dataDir>/secrets.json`,
 * rewritten atomically; values are never logged.
 */
export class SecretsManagerService implements AwsJsonService {
  readonly targetPrefix = 'secretsmanager';
  readonly signingName = 'secretsmanager';
  private readonly secrets: Map<string, StoredSecret>;
  private readonly file: string | undefined;

  constructor(options: { dataDir?: string; region?: string }) {
    this.region = options.region ?? DEFAULT_REGION;
    this.file = options.dataDir ? join(options.dataDir, 'secrets.json') : undefined;
    const stored = this.file ? readJsonFile<StoredSecret[]>(this.file, []) : [];
    this.secrets = new Map(stored.map((secret) => [secret.name, secret]));
  }

  private readonly region: string;

  /** Creates the secret or adds a new current version: what the runtime does for the gateway secret at start. */
  putSecret(name: string, value: string): void {
    const existing = this.secrets.get(name);
    if (existing) this.addVersion(existing, value, randomUUID());
    else this.create(name, value, randomUUID());
  }

  /** The operations served, by name: the route table of `handle`. */
  private readonly operations: Readonly<Record<string, (input: unknown) => unknown>> = {
    GetSecretValue: (input) => this.getSecretValue(parse(SecretIdInput, input)),
    PutSecretValue: (input) => this.putSecretValue(parse(PutSecretValueInput, input)),
    CreateSecret: (input) => this.createSecret(parse(CreateSecretInput, input)),
    DescribeSecret: (input) => this.describeSecret(parse(SecretIdInput, input).SecretId),
    ListSecrets: (input) => listSecrets(this.secrets.values(), parse(ListSecretsInput, input)),
  };

  async handle(operation: string, input: unknown): Promise<unknown> {
    const run = Object.hasOwn(this.operations, operation) ? this.operations[operation] : undefined;
    if (!run) {
      throw new AwsServiceError(
        'UnknownOperationException',
        `Secrets Manager operation ${operation} is not supported by the local runtime (${Object.keys(this.operations).join(', ')} are)`,
      );
    }
    return run(input);
  }

  private getSecretValue({ SecretId, VersionId, VersionStage }: z.infer<typeof SecretIdInput>) {
    const secret = this.find(SecretId);
    const version =
      VersionId !== undefined
        ? [secret.current, secret.previous].find((v) => v?.versionId === VersionId)
        : VersionStage === 'AWSPREVIOUS'
          ? secret.previous
          : VersionStage === undefined || VersionStage === 'AWSCURRENT'
            ? secret.current
            : undefined;
    if (!version) throw notFound();
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      SecretString: version.secretString,
      VersionStages: [version === secret.current ? 'AWSCURRENT' : 'AWSPREVIOUS'],
      CreatedDate: version.createdDate / 1000,
    };
  }

  private putSecretValue({
    SecretId,
    SecretString,
    ClientRequestToken,
  }: z.infer<typeof PutSecretValueInput>) {
    const secret = this.find(SecretId);
    const version = this.addVersion(secret, SecretString, ClientRequestToken ?? randomUUID());
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      VersionStages: ['AWSCURRENT'],
    };
  }

  private createSecret({ Name, SecretString, ClientRequestToken }: z.infer<typeof CreateSecretInput>) {
    if (this.secrets.has(Name)) {
      throw new AwsServiceError(
        'ResourceExistsException',
        `The operation failed because the secret ${Name} already exists.`,
      );
    }
    const secret = this.create(Name, SecretString, ClientRequestToken ?? randomUUID());
    return { ARN: secret.arn, Name: secret.name, VersionId: secret.current.versionId };
  }

  private describeSecret(secretId: string) {
    const secret = this.find(secretId);
    return {
      ARN: secret.arn,
      Name: secret.name,
      CreatedDate: secret.createdDate / 1000,
      LastChangedDate: secret.current.createdDate / 1000,
      VersionIdsToStages: {
        [secret.current.versionId]: ['AWSCURRENT'],
        ...(secret.previous && { [secret.previous.versionId]: ['AWSPREVIOUS'] }),
      },
    };
  }

  private find(secretId: string): StoredSecret {
    const secret =
      this.secrets.get(secretId) ??
      [...this.secrets.values()].find((candidate) => candidate.arn === secretId);
    if (!secret) throw notFound();
    return secret;
  }

  private create(name: string, value: string, versionId: string): StoredSecret {
    const now = Date.now();
    const suffix = randomBytes(3).toString('hex');
    const secret: StoredSecret = {
      name,
      arn: `arn:aws:secretsmanager:${this.region}:${LOCAL_ACCOUNT_ID}:secret:${name}-${suffix}`,
      createdDate: now,
      current: { versionId, secretString: value, createdDate: now },
    };
    this.secrets.set(name, secret);
    this.save();
    return secret;
  }

  private addVersion(secret: StoredSecret, value: string, versionId: string): SecretVersion {
    // PutSecretValue with the token of the current version is an idempotent retry.
    if (secret.current.versionId === versionId) return secret.current;
    secret.previous = secret.current;
    secret.current = { versionId, secretString: value, createdDate: Date.now() };
    this.save();
    return secret.current;
  }

  private save(): void {
    if (this.file) writeJsonDurably(this.file, [...this.secrets.values()]);
  }
}
