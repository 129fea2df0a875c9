import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ASL_FILE, ASL_RESOURCE_PLACEHOLDERS, FUNCTION_KEYS, FUNCTIONS } from '../config/names';
import { inProgressRetrier } from '../config/retries';
import { FINAL_ERROR_NAMES, TRANSIENT_ERROR_NAMES } from '../errors';

const ASL_PATH = fileURLToPath(new URL(`../../${ASL_FILE}`, import.meta.url));

/**
 * Tokens the ASL file uses where a list comes from code, expanded before the
 * text goes anywhere (CDK, the local runtime, the tests):
 * - `paysaga:TransientErrors` in an `ErrorEquals`: core/errors.ts TRANSIENT_ERROR_NAMES;
 * - `paysaga:FinalErrors` in an `ErrorEquals`: core/errors.ts FINAL_ERROR_NAMES;
 * - `paysaga:InProgressRetry` as a `Retry` element of a Lambda Task: the retrier
 *   that outlasts the idempotency lock of that Task's function (its timeout in
 *   core/config/names.ts; core/config/retries.ts).
 */
export const ASL_TOKENS = {
  transientErrors: 'paysaga:TransientErrors',
  finalErrors: 'paysaga:FinalErrors',
  inProgressRetry: 'paysaga:InProgressRetry',
} as const;

const ERROR_LISTS: Readonly<Record<string, readonly string[]>> = {
  [ASL_TOKENS.transientErrors]: TRANSIENT_ERROR_NAMES,
  [ASL_TOKENS.finalErrors]: FINAL_ERROR_NAMES,
};

export class UnknownAslTokenError extends Error {
  override readonly name = 'UnknownAslTokenError';
}

interface StateLike {
  Resource?: string;
  Retry?: unknown[];
  Catch?: { ErrorEquals?: string[] }[];
}

const expandErrors = (names: readonly string[] = []): string[] =>
  names.flatMap((name) => ERROR_LISTS[name] ?? [name]);

function functionTimeoutOf(stateName: string, state: StateLike): number {
  const key = FUNCTION_KEYS.find((k) => state.Resource === `\${${FUNCTIONS[k].aslPlaceholder}}`);
  if (!key)
    throw new UnknownAslTokenError(
      `${stateName}: ${ASL_TOKENS.inProgressRetry} is only for Tasks that invoke a saga function`,
    );
  return FUNCTIONS[key].timeoutSeconds;
}

/** The ASL text with its tokens expanded; `${...}` substitution placeholders are left as they are. */
export function expandSagaDefinition(text: string): string {
  const definition = JSON.parse(text) as { States: Record<string, StateLike> };
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Retry) {
      state.Retry = state.Retry.map((retrier) => {
        if (retrier === ASL_TOKENS.inProgressRetry) return inProgressRetrier(functionTimeoutOf(name, state));
        if (typeof retrier === 'string')
          throw new UnknownAslTokenError(`${name}: unknown Retry token ${retrier}`);
        const r = retrier as { ErrorEquals?: string[] };
        return { ...r, ErrorEquals: expandErrors(r.ErrorEquals) };
      });
    }
    for (const catcher of state.Catch ?? []) catcher.ErrorEquals = expandErrors(catcher.ErrorEquals);
  }
  return `${JSON.stringify(definition, null, 2)}\n`;
}

/** The ASL file as written, tokens and all (tests that check the file itself). */
export function readSagaDefinitionSource(): string {
  return readFileSync(ASL_PATH, 'utf8');
}

/** The saga's ASL text with its `${...}` placeholders, exactly as stacks/ hands it to CDK. */
export function readSagaDefinitionText(): string {
  return expandSagaDefinition(readSagaDefinitionSource());
}

/** Every placeholder the ASL uses: one per saga function plus the bus and the two DLQ URLs. */
export function sagaPlaceholders(): string[] {
  const functionPlaceholders = FUNCTION_KEYS.flatMap((key) => FUNCTIONS[key].aslPlaceholder ?? []);
  return [...functionPlaceholders, ...Object.values(ASL_RESOURCE_PLACEHOLDERS)];
}

export class MissingSubstitutionError extends Error {
  override readonly name = 'MissingSubstitutionError';
}

/**
 * Substitutes `${Name}` placeholders the way Step Functions' definitionSubstitutions does,
 * for any of the sagas' ASL texts (`file` names it in the error).
 */
export function substituteDefinition(
  text: string,
  substitutions: Readonly<Record<string, string>>,
  file: string,
): Record<string, unknown> {
  const rendered = text.replace(/\$\{([A-Za-z0-9]+)\}/g, (_, name: string) => {
    const value = substitutions[name];
    if (value === undefined) throw new MissingSubstitutionError(`no substitution for \${${name}} in ${file}`);
    return value;
  });
  return JSON.parse(rendered) as Record<string, unknown>;
}

/** The payment ASL with its `${...}` placeholders substituted (definitionSubstitutions). */
export function renderSagaDefinition(
  substitutions: Readonly<Record<string, string>>,
): Record<string, unknown> {
  return substituteDefinition(readSagaDefinitionText(), substitutions, ASL_FILE);
}
