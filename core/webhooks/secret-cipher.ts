import { randomBytes } from 'node:crypto';
import { DecryptCommand, EncryptCommand, type KMSClient } from '../aws/kms';

/** Encrypts and decrypts endpoints' signing secrets; the plain secret lives only in memory. */
export interface SecretCipher {
  encrypt(endpointId: string, secret: string): Promise<string>;
  decrypt(endpointId: string, ciphertext: string): Promise<string>;
}

/** A new signing secret: `whsec_` + 32 random bytes, base64url. */
export const newSigningSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

/**
 * The stage's KMS key (locally the edge's KMS; local/kms). The endpoint id is
 * bound in as encryption context: a ciphertext copied to another endpoint's
 * record does not decrypt.
 */
export function kmsSecretCipher(kms: Pick<KMSClient, 'send'>, keyId: string): SecretCipher {
  const context = (endpointId: string) => ({ purpose: 'paysaga-webhook-secret', endpointId });
  return {
    async encrypt(endpointId, secret) {
      const { CiphertextBlob } = await kms.send(
        new EncryptCommand({
          KeyId: keyId,
          Plaintext: Buffer.from(secret, 'utf8'),
          EncryptionContext: context(endpointId),
        }),
      );
      if (!CiphertextBlob) throw new Error('KMS Encrypt returned no ciphertext');
      return Buffer.from(CiphertextBlob).toString('base64');
    },
    async decrypt(endpointId, ciphertext) {
      const { Plaintext } = await kms.send(
        new DecryptCommand({
          KeyId: keyId,
          CiphertextBlob: Buffer.from(ciphertext, 'base64'),
          EncryptionContext: context(endpointId),
        }),
      );
      if (!Plaintext) throw new Error('KMS Decrypt returned no plaintext');
      return Buffer.from(Plaintext).toString('utf8');
    },
  };
}
