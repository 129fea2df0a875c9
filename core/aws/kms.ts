import type { DecryptRequest, DecryptResponse, EncryptRequest, EncryptResponse } from '@aws-sdk/client-kms';
import type { JsonService } from './json-client';
import { AwsCommand, JsonServiceClient, type ServiceClientConfig, serviceErrorClass } from './service-client';

/**
 * AWS KMS over the lean transport (JSON 1.1), shaped as @aws-sdk/client-kms:
 * blobs (Plaintext, CiphertextBlob) are Uint8Array in and out, base64 on the wire.
 */

const TRENT: JsonService = {
  signingName: 'kms',
  host: (region) => `kms.${region}.amazonaws.com`,
  targetPrefix: 'TrentService',
  jsonVersion: '1.1',
  envKey: 'KMS',
};

const toBase64 = (blob: Uint8Array | undefined): string | undefined =>
  blob === undefined
    ? undefined
    : Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength).toString('base64');
const fromBase64 = (value: unknown): Uint8Array | undefined =>
  typeof value === 'string' ? new Uint8Array(Buffer.from(value, 'base64')) : undefined;

export class EncryptCommand extends AwsCommand<EncryptRequest, EncryptResponse> {
  readonly operation = 'Encrypt';
  override toWire(): unknown {
    return { ...this.input, Plaintext: toBase64(this.input.Plaintext) };
  }
  override fromWire(answer: Record<string, unknown>): EncryptResponse {
    return { ...answer, CiphertextBlob: fromBase64(answer.CiphertextBlob) } as EncryptResponse;
  }
}

export class DecryptCommand extends AwsCommand<DecryptRequest, DecryptResponse> {
  readonly operation = 'Decrypt';
  override toWire(): unknown {
    return { ...this.input, CiphertextBlob: toBase64(this.input.CiphertextBlob) };
  }
  override fromWire(answer: Record<string, unknown>): DecryptResponse {
    return {
      ...answer,
      Plaintext: fromBase64(answer.Plaintext),
      ...(answer.CiphertextForRecipient !== undefined && {
        CiphertextForRecipient: fromBase64(answer.CiphertextForRecipient),
      }),
    } as DecryptResponse;
  }
}

export const InvalidCiphertextException = serviceErrorClass('InvalidCiphertextException');
export const NotFoundException = serviceErrorClass('NotFoundException');
export const DisabledException = serviceErrorClass('DisabledException');
export const IncorrectKeyException = serviceErrorClass('IncorrectKeyException');

export class KMSClient extends JsonServiceClient {
  constructor(config: ServiceClientConfig = {}) {
    super(TRENT, config, {
      InvalidCiphertextException,
      NotFoundException,
      DisabledException,
      IncorrectKeyException,
    });
  }
}
