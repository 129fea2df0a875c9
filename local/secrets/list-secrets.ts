import * as z from 'zod';
import { AwsServiceError } from '../edge/aws-json-service';

/** What ListSecrets needs of a stored secret. */
export interface ListedSecret {
  readonly name: string;
  readonly arn: string;
  readonly createdDate: number;
  readonly current: { readonly versionId: string; readonly createdDate: number };
  readonly previous?: { readonly versionId: string };
}

const FILTER_KEYS = [
  'description',
  'name',
  'tag-key',
  'tag-value',
  'primary-region',
  'owning-service',
  'all',
] as const;

export const ListSecretsInput = z.object({
  MaxResults: z.number().int().min(1).max(100).optional(),
  NextToken: z.string().optional(),
  Filters: z
    .array(
      z.object({
        Key: z.enum(FILTER_KEYS),
        Values: z.array(z.string().max(512)).min(1).max(10),
      }),
    )
    .max(10)
    .optional(),
  SortOrder: z.enum(['asc', 'desc']).optional(),
  IncludePlannedDeletion: z.boolean().optional(),
});
export type ListSecretsInput = z.infer<typeof ListSecretsInput>;

const DEFAULT_MAX_RESULTS = 100;

/** The words of a search string: split at punctuation and at lower-to-upper and letter/digit changes. */
function wordsOf(text: string): string[] {
  return (text.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+/g) ?? []).map((word) => word.toLowerCase());
}

/**
 * One filter value against one secret, as Secrets Manager documents it:
 * `name` is a case-sensitive prefix match, `all` matches the value's words
 * case-insensitively. Local secrets have no description, tags, replica
 * region or owning service, so those keys match none of them. A value
 * starting with `!` negates.
 */
function matchesValue(key: (typeof FILTER_KEYS)[number], raw: string, secret: ListedSecret): boolean {
  const negated = raw.startsWith('!');
  const value = negated ? raw.slice(1) : raw;
  let matched = false;
  if (key === 'name') matched = secret.name.startsWith(value);
  if (key === 'all') {
    const nameWords = wordsOf(secret.name);
    matched = wordsOf(value).every((word) => nameWords.some((candidate) => candidate.startsWith(word)));
  }
  return negated ? !matched : matched;
}

function listEntry(secret: ListedSecret) {
  return {
    ARN: secret.arn,
    Name: secret.name,
    CreatedDate: secret.createdDate / 1000,
    LastChangedDate: secret.current.createdDate / 1000,
    SecretVersionsToStages: {
      [secret.current.versionId]: ['AWSCURRENT'],
      ...(secret.previous && { [secret.previous.versionId]: ['AWSPREVIOUS'] }),
    },
  };
}

function offsetOf(token: string | undefined): number {
  if (token === undefined) return 0;
  const offset = Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0)
    throw new AwsServiceError('InvalidNextTokenException', 'The NextToken value is invalid.');
  return offset;
}

/**
 * Secrets Manager's ListSecrets over the local secrets: filters (all of them
 * must match, any of a filter's values), ordered by creation date, paged by
 * MaxResults and an opaque NextToken.
 */
export function listSecrets(secrets: Iterable<ListedSecret>, input: ListSecretsInput) {
  const filters = input.Filters ?? [];
  const matching = [...secrets]
    .filter((secret) =>
      filters.every((filter) => filter.Values.some((value) => matchesValue(filter.Key, value, secret))),
    )
    // Stable: secrets created in the same millisecond keep their creation (insertion) order.
    .sort((a, b) => a.createdDate - b.createdDate);
  if (input.SortOrder === 'desc') matching.reverse();
  const offset = offsetOf(input.NextToken);
  const end = offset + (input.MaxResults ?? DEFAULT_MAX_RESULTS);
  return {
    SecretList: matching.slice(offset, end).map(listEntry),
    ...(end < matching.length && { NextToken: Buffer.from(String(end)).toString('base64url') }),
  };
}
