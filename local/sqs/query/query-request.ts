import type { Shape, StructureShape } from './query-shapes';

/** A query parameter that does not fit its shape (a count that is not a number...). */
export class QueryParameterError extends Error {
  override readonly name = 'QueryParameterError';
}

type JsonValue = string | number | boolean | JsonValue[] | { [key: string]: JsonValue };

/** The entry numbers `N` of the keys `<prefix>.N` or `<prefix>.N.<rest>`, in numeric order. */
function indicesUnder(params: URLSearchParams, prefix: string): number[] {
  const indices = new Set<number>();
  const head = `${prefix}.`;
  for (const key of params.keys()) {
    if (!key.startsWith(head)) continue;
    const index = key.slice(head.length).split('.')[0] ?? '';
    if (/^[1-9]\d*$/.test(index)) indices.add(Number(index));
  }
  return [...indices].sort((a, b) => a - b);
}

function decodeScalar(kind: 'string' | 'integer' | 'boolean', key: string, raw: string): JsonValue {
  if (kind === 'string') return raw;
  if (kind === 'integer') {
    if (!/^-?\d+$/.test(raw.trim()))
      throw new QueryParameterError(`Value ${raw} for parameter ${key} is invalid.`);
    return Number(raw);
  }
  if (raw !== 'true' && raw !== 'false')
    throw new QueryParameterError(`Value ${raw} for parameter ${key} is invalid.`);
  return raw === 'true';
}

function decode(shape: Shape, params: URLSearchParams, key: string): JsonValue | undefined {
  switch (shape.kind) {
    case 'string':
    case 'integer':
    case 'boolean': {
      const raw = params.get(key);
      return raw === null ? undefined : decodeScalar(shape.kind, key, raw);
    }
    case 'list': {
      const items = indicesUnder(params, key).map((i) => decode(shape.member, params, `${key}.${i}`));
      return items.length === 0 ? undefined : items.filter((item) => item !== undefined);
    }
    case 'map': {
      const entries: Record<string, JsonValue> = {};
      for (const i of indicesUnder(params, key)) {
        const name = params.get(`${key}.${i}.${shape.keyName}`);
        const value = decode(shape.value, params, `${key}.${i}.Value`);
        if (name !== null && value !== undefined) entries[name] = value;
      }
      return Object.keys(entries).length === 0 ? undefined : entries;
    }
    case 'structure':
      return decodeStructure(shape, params, key);
  }
}

function decodeStructure(
  shape: StructureShape,
  params: URLSearchParams,
  prefix: string,
): Record<string, JsonValue> | undefined {
  const out: Record<string, JsonValue> = {};
  for (const [name, member] of Object.entries(shape.members)) {
    const value = decode(member.shape, params, prefix ? `${prefix}.${member.wire}` : member.wire);
    if (value !== undefined) out[name] = value;
  }
  return prefix && Object.keys(out).length === 0 ? undefined : out;
}

/**
 * Turns a query-protocol request (`QueueUrl=...&AttributeName.1=All&
 * MessageAttribute.1.Name=k&MessageAttribute.1.Value.StringValue=v...`) into
 * the JSON-protocol input of the same operation. Parameters the shape does
 * not name (Action, Version, signature fields) are left out.
 */
export function queryToJson(shape: StructureShape, params: URLSearchParams): Record<string, JsonValue> {
  return decodeStructure(shape, params, '') ?? {};
}
