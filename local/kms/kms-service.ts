import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as z from 'zod';
import { type AwsJsonService, AwsServiceError } from '../edge/aws-json-service';
import { readJsonFile, writeJsonDurably } from '../edge/durable-file';
import { DEFAULT_REGION, LOCAL_ACCOUNT_ID } from '../edge/request-context';

/**
 * KMS Encrypt / Decrypt, enough for the webhook signing secrets
 * (core/webhooks/secret-cipher.ts) through the same SDK client as on AWS.
 * One symmetric key per key id, created on first use, kept in
 * `<dataDir>/kms-keys.json` (mode 0600); AES-256-GCM with the encryption
 * context bound in as additional data, so a ciphertext decrypts only with the
 * context it was made with. Plaintexts are never logged.
 */
const EncryptionContext = z.record(z.string(), z.string()).optional();
const EncryptInput = z.object({
  KeyId: z.string().min(1, 'KeyId is required'),
  Plaintext: z.string().min(1, 'Plaintext is required'),
  EncryptionContext,
});
const DecryptInput = z.object({
  CiphertextBlob: z.string().min(1, 'CiphertextBlob is required'),
  KeyId: z.string().optional(),
  EncryptionContext,
});

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new AwsServiceError('ValidationException', z.prettifyError(result.error));
  return result.data;
}

const contextBytes = (context: Record<string, string> | undefined): Buffer =>
  Buffer.from(
    JSON.stringify(Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    'utf8',
  );

const invalidCiphertext = () =>
  new AwsServiceError('InvalidCiphertextException', 'The ciphertext or its encryption context is not valid.');

export class KmsService implements AwsJsonService {
  readonly targetPrefix = 'TrentService';
  readonly signingName = 'kms';
  private readonly keys: Map<string, string>;
  private readonly file: string | undefined;
  private readonly region: string;

  constructor(options: { dataDir?: string; region?: string }) {
    this.region = options.region ?? DEFAULT_REGION;
    this.file = options.dataDir ? join(options.dataDir, 'kms-keys.json') : undefined;
    this.keys = new Map(Object.entries(this.file ? readJsonFile<Record<string, string>>(this.file, {}) : {}));
  }

  /** The ARN of a local key (created on first use). */
  keyArn(keyId: string): string {
    return `arn:aws:kms:${this.region}:${LOCAL_ACCOUNT_ID}:key/${keyId}`;
  }

  private readonly operations: Readonly<Record<string, (input: unknown) => unknown>> = {
    Encrypt: (input) => this.encrypt(parse(EncryptInput, input)),
    Decrypt: (input) => this.decrypt(parse(DecryptInput, input)),
  };

  async handle(operation: string, input: unknown): Promise<unknown> {
    const run = Object.hasOwn(this.operations, operation) ? this.operations[operation] : undefined;
    if (!run) {
      throw new AwsServiceError(
        'UnsupportedOperationException',
        `KMS operation ${operation} is not supported by the local runtime (Encrypt, Decrypt are)`,
      );
    }
    return run(input);
  }

  private keyOf(keyId: string, create: boolean): Buffer {
    const arn = keyId.startsWith('arn:') ? keyId : this.keyArn(keyId);
    let key = this.keys.get(arn);
    if (!key) {
      if (!create) throw new AwsServiceError('NotFoundException', `Key '${arn}' does not exist`);
      key = randomBytes(32).toString('base64');
      this.keys.set(arn, key);
      if (this.file) writeJsonDurably(this.file, Object.fromEntries(this.keys), 0o600);
    }
    return Buffer.from(key, 'base64');
  }

  private encrypt({ KeyId, Plaintext, EncryptionContext: context }: z.infer<typeof EncryptInput>) {
    const arn = KeyId.startsWith('arn:') ? KeyId : this.keyArn(KeyId);
    const key = this.keyOf(arn, true);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(contextBytes(context));
    const sealed = Buffer.concat([cipher.update(Buffer.from(Plaintext, 'base64')), cipher.final()]);
    const arnBytes = Buffer.from(arn, 'utf8');
    const blob = Buffer.concat([Buffer.from([arnBytes.length]), arnBytes, iv, cipher.getAuthTag(), sealed]);
    return { CiphertextBlob: blob.toString('base64'), KeyId: arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
  }

  private decrypt({ CiphertextBlob, KeyId, EncryptionContext: context }: z.infer<typeof DecryptInput>) {
    const blob = Buffer.from(CiphertextBlob, 'base64');
    const arnLength = blob[0] ?? 0;
    if (blob.length < 1 + arnLength + 12 + 16) throw invalidCiphertext();
    const arn = blob.subarray(1, 1 + arnLength).toString('utf8');
    if (KeyId && (KeyId.startsWith('arn:') ? KeyId : this.keyArn(KeyId)) !== arn) {
      throw new AwsServiceError(
        'IncorrectKeyException',
        'The key ID in the request does not identify the key that encrypted the ciphertext.',
      );
    }
    const offset = 1 + arnLength;
    const decipher = createDecipheriv(
      'aes-256-gcm',
      this.keyOf(arn, false),
      blob.subarray(offset, offset + 12),
    );
    decipher.setAAD(contextBytes(context));
    decipher.setAuthTag(blob.subarray(offset + 12, offset + 28));
    try {
      const plain = Buffer.concat([decipher.update(blob.subarray(offset + 28)), decipher.final()]);
      return { Plaintext: plain.toString('base64'), KeyId: arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    } catch {
      throw invalidCiphertext();
    }
  }
}
