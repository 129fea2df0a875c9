import '../config/zod-locale';
import * as z from 'zod/mini';

/**
 * The S3 event notification the import function receives (ObjectCreated:*, one or more
 * records), as much of it as the import reads. Keys arrive URL-encoded with `+` for spaces.
 */
const S3EventRecord = z.object({
  eventSource: z.literal('aws:s3'),
  eventName: z.string().check(z.startsWith('ObjectCreated:')),
  s3: z.object({
    bucket: z.object({ name: z.string().check(z.minLength(3)) }),
    object: z.object({
      key: z.string().check(z.minLength(1)),
      size: z.optional(z.number().check(z.int(), z.gte(0))),
      eTag: z.optional(z.string()),
      versionId: z.optional(z.string()),
      sequencer: z.string().check(z.minLength(1)),
    }),
  }),
});

export const S3ObjectCreatedEvent = z.object({ Records: z.array(S3EventRecord).check(z.minLength(1)) });

export interface ObjectCreatedRecord {
  readonly bucket: string;
  readonly key: string;
  readonly eTag?: string;
  readonly versionId?: string;
  readonly sequencer: string;
}

/** An S3 event key as S3 encodes it: URL-encoded, `+` for a space. */
export const encodeS3EventKey = (key: string): string =>
  key
    .split(' ')
    .map((part) => encodeURIComponent(part).replaceAll('%2F', '/'))
    .join('+');

export const decodeS3EventKey = (key: string): string => decodeURIComponent(key.replaceAll('+', ' '));

/** The records of an S3 ObjectCreated event; throws (zod) on anything else. */
export function objectCreatedRecords(event: unknown): ObjectCreatedRecord[] {
  return S3ObjectCreatedEvent.parse(event).Records.map(({ s3 }) => ({
    bucket: s3.bucket.name,
    key: decodeS3EventKey(s3.object.key),
    sequencer: s3.object.sequencer,
    ...(s3.object.eTag && { eTag: s3.object.eTag }),
    ...(s3.object.versionId && { versionId: s3.object.versionId }),
  }));
}
