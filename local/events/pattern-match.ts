/**
 * EventBridge event-pattern matching, for the patterns paysaga uses and the
 * common content filters: exact values, prefix, suffix, anything-but,
 * exists, numeric ranges, equals-ignore-case, wildcard. A pattern field that
 * names an array in the event matches when any element matches.
 */
/** Any pattern object (events/envelope.ts's EventPattern included). */
export type EventPatternLike = object;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function wildcardToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

function numericMatches(conditions: readonly unknown[], value: unknown): boolean {
  if (typeof value !== 'number') return false;
  for (let i = 0; i + 1 < conditions.length; i += 2) {
    const op = conditions[i];
    const bound = conditions[i + 1] as number;
    const ok =
      (op === '=' && value === bound) ||
      (op === '<' && value < bound) ||
      (op === '<=' && value <= bound) ||
      (op === '>' && value > bound) ||
      (op === '>=' && value >= bound);
    if (!ok) return false;
  }
  return true;
}

/** Whether one value from the event satisfies one element of a pattern's value list. */
function valueMatches(condition: unknown, value: unknown, present: boolean): boolean {
  if (!isPlainObject(condition)) return present && condition === value;
  if ('exists' in condition) return condition.exists === present;
  if (!present) return false;
  if ('prefix' in condition) {
    const prefix = condition.prefix;
    if (isPlainObject(prefix) && typeof prefix['equals-ignore-case'] === 'string') {
      return (
        typeof value === 'string' &&
        value.toLowerCase().startsWith(prefix['equals-ignore-case'].toLowerCase())
      );
    }
    return typeof value === 'string' && typeof prefix === 'string' && value.startsWith(prefix);
  }
  if ('suffix' in condition) {
    return (
      typeof value === 'string' && typeof condition.suffix === 'string' && value.endsWith(condition.suffix)
    );
  }
  if ('equals-ignore-case' in condition) {
    return (
      typeof value === 'string' &&
      typeof condition['equals-ignore-case'] === 'string' &&
      value.toLowerCase() === condition['equals-ignore-case'].toLowerCase()
    );
  }
  if ('wildcard' in condition) {
    return (
      typeof value === 'string' &&
      typeof condition.wildcard === 'string' &&
      wildcardToRegExp(condition.wildcard).test(value)
    );
  }
  if ('numeric' in condition && Array.isArray(condition.numeric))
    return numericMatches(condition.numeric, value);
  if ('anything-but' in condition) {
    const excluded = condition['anything-but'];
    if (Array.isArray(excluded)) return !excluded.includes(value);
    if (isPlainObject(excluded) && typeof excluded.prefix === 'string') {
      return typeof value === 'string' && !value.startsWith(excluded.prefix);
    }
    return value !== excluded;
  }
  return false;
}

function fieldMatches(conditions: unknown, value: unknown, present: boolean): boolean {
  if (isPlainObject(conditions)) {
    // A nested pattern: the event value must be an object matching it. An absent object has none of its
    // fields, so only a pattern of `exists: false` conditions matches it (EventBridge compares flattened paths).
    if (!present) return eventMatches(conditions, {});
    return isPlainObject(value) && eventMatches(conditions, value);
  }
  if (!Array.isArray(conditions)) return false;
  if (Array.isArray(value)) {
    return value.some((element) => conditions.some((condition) => valueMatches(condition, element, true)));
  }
  return conditions.some((condition) => valueMatches(condition, value, present));
}

/** Whether the event (the full EventBridge envelope) matches the pattern. */
export function eventMatches(pattern: EventPatternLike, event: object): boolean {
  const fields = event as Readonly<Record<string, unknown>>;
  for (const [key, conditions] of Object.entries(pattern)) {
    if (key === '$or' && Array.isArray(conditions)) {
      if (!conditions.some((alternative) => isPlainObject(alternative) && eventMatches(alternative, fields)))
        return false;
      continue;
    }
    if (!fieldMatches(conditions, fields[key], fields[key] !== undefined)) return false;
  }
  return true;
}
