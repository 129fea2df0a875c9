/**
 * Backward-compatibility check between a published JSON Schema and the one the
 * code generates now. Consumers and producers coded against the published
 * version must keep working: a field removed, a type or enum narrowed, a bound
 * tightened or a new required field is a breaking change (it needs a v2).
 */

type Schema = Record<string, unknown>;

const asSchema = (value: unknown): Schema => (value && typeof value === 'object' ? (value as Schema) : {});
const asStrings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

function typesOf(schema: Schema): string[] {
  const type = schema.type;
  if (typeof type === 'string') return [type];
  return asStrings(type);
}

function compare(published: Schema, current: Schema, path: string, problems: string[]): void {
  const publishedTypes = typesOf(published);
  const currentTypes = typesOf(current);
  for (const type of publishedTypes) {
    const widened = type === 'integer' && currentTypes.includes('number');
    if (currentTypes.length > 0 && !currentTypes.includes(type) && !widened) {
      problems.push(`${path}: type ${type} is no longer accepted (now ${currentTypes.join('|')})`);
    }
  }
  if (published.enum !== undefined) {
    const allowed = new Set(asStrings(current.enum));
    if (current.enum !== undefined) {
      for (const value of asStrings(published.enum)) {
        if (!allowed.has(value)) problems.push(`${path}: enum value ${JSON.stringify(value)} was removed`);
      }
    }
  }
  if (published.const !== undefined && current.const !== undefined && published.const !== current.const) {
    problems.push(`${path}: const changed from ${JSON.stringify(published.const)}`);
  }
  for (const bound of ['maximum', 'maxLength', 'maxItems', 'maxProperties', 'exclusiveMaximum'] as const) {
    const before = published[bound];
    const now = current[bound];
    if (typeof now === 'number' && (typeof before !== 'number' || now < before)) {
      problems.push(`${path}: ${bound} tightened from ${before ?? 'none'} to ${now}`);
    }
  }
  for (const bound of ['minimum', 'minLength', 'minItems', 'exclusiveMinimum'] as const) {
    const before = published[bound];
    const now = current[bound];
    if (typeof now === 'number' && (typeof before !== 'number' || now > before)) {
      problems.push(`${path}: ${bound} tightened from ${before ?? 'none'} to ${now}`);
    }
  }
  if (
    published.pattern !== undefined &&
    current.pattern !== undefined &&
    published.pattern !== current.pattern
  ) {
    problems.push(`${path}: pattern changed from ${String(published.pattern)} to ${String(current.pattern)}`);
  }
  const publishedProps = asSchema(published.properties);
  const currentProps = asSchema(current.properties);
  for (const [name, sub] of Object.entries(publishedProps)) {
    if (!(name in currentProps)) {
      problems.push(`${path}.${name}: field removed`);
      continue;
    }
    compare(asSchema(sub), asSchema(currentProps[name]), `${path}.${name}`, problems);
  }
  const wasRequired = new Set(asStrings(published.required));
  for (const name of asStrings(current.required)) {
    if (!wasRequired.has(name)) problems.push(`${path}.${name}: became required`);
  }
  if (published.additionalProperties !== false && current.additionalProperties === false) {
    problems.push(`${path}: no longer accepts additional properties`);
  }
  if (published.items !== undefined)
    compare(asSchema(published.items), asSchema(current.items), `${path}[]`, problems);
  if (published.additionalProperties && typeof published.additionalProperties === 'object') {
    compare(
      asSchema(published.additionalProperties),
      asSchema(current.additionalProperties),
      `${path}{}`,
      problems,
    );
  }
}

/** Every breaking difference, as one human-readable line each; empty when compatible. */
export function breakingChanges(published: unknown, current: unknown): string[] {
  const problems: string[] = [];
  compare(asSchema(published), asSchema(current), '$', problems);
  return problems;
}
