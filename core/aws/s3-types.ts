/** The shapes of the S3 commands paysaga sends (./s3.ts), as @aws-sdk/client-s3 names them. */

import type { AwsCredentials, CredentialProvider } from './credentials';

export interface S3ClientConfig {
  /** The region, or a provider of it (payctl passes the SDK's, profiles included). */
  readonly region?: string | (() => Promise<string>) | undefined;
  readonly endpoint?: string | undefined;
  readonly credentials?: AwsCredentials | CredentialProvider | undefined;
  readonly forcePathStyle?: boolean | undefined;
  readonly maxAttempts?: number | undefined;
  readonly requestTimeoutMs?: number | undefined;
}

/** GetObject's body: the response stream, readable once. */
export type S3Body = AsyncIterable<Uint8Array> & {
  transformToString(encoding?: BufferEncoding): Promise<string>;
  transformToByteArray(): Promise<Uint8Array>;
};

export interface ObjectAnswer {
  readonly ETag?: string;
  readonly VersionId?: string;
  readonly ContentType?: string;
  readonly ContentLength?: number;
  readonly LastModified?: Date;
  readonly Metadata?: Record<string, string>;
}

export interface PutObjectCommandInput {
  readonly Bucket: string;
  readonly Key: string;
  /** A stream (payctl uploads a file) is read whole before it is signed and sent. */
  readonly Body?: string | Uint8Array | AsyncIterable<Uint8Array>;
  /** Accepted for the SDK's shape; the length sent is the body's. */
  readonly ContentLength?: number;
  readonly ContentType?: string;
  readonly StorageClass?: string;
  readonly IfNoneMatch?: string;
  readonly IfMatch?: string;
  readonly Metadata?: Record<string, string>;
}
export type PutObjectCommandOutput = Pick<ObjectAnswer, 'ETag' | 'VersionId'>;
export interface GetObjectCommandInput {
  readonly Bucket: string;
  readonly Key: string;
  readonly VersionId?: string;
  readonly IfMatch?: string;
}
export type GetObjectCommandOutput = ObjectAnswer & { readonly Body?: S3Body };
export type HeadObjectCommandInput = GetObjectCommandInput;
export type HeadObjectCommandOutput = ObjectAnswer;
export interface ListObjectsV2CommandInput {
  readonly Bucket: string;
  readonly Prefix?: string;
  readonly ContinuationToken?: string;
  readonly StartAfter?: string;
  readonly MaxKeys?: number;
}
export interface S3Object {
  readonly Key?: string;
  readonly Size?: number;
  readonly ETag?: string;
  readonly LastModified?: Date;
  readonly StorageClass?: string;
}
export interface ListObjectsV2CommandOutput {
  readonly Contents?: S3Object[];
  readonly IsTruncated?: boolean;
  readonly NextContinuationToken?: string;
  readonly KeyCount?: number;
  readonly Prefix?: string;
}
