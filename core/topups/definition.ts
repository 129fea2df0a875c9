import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  FUNCTION_KEYS,
  FUNCTIONS,
  type FunctionKey,
  TOP_UP_ASL_FILE,
  TOP_UP_ASL_RESOURCE_PLACEHOLDERS,
} from '../config/names';
import { inProgressRetrier } from '../config/retries';
import { ASL_TOKENS, expandSagaDefinition, substituteDefinition } from '../saga/definition';

const ASL_PATH = fileURLToPath(new URL(`../../${TOP_UP_ASL_FILE}`, import.meta.url));

/** The functions the top-up state machine invokes: every function with a top-up ASL placeholder. */
export const TOP_UP_FUNCTION_KEYS: readonly FunctionKey[] = FUNCTION_KEYS.filter(
  (key) => FUNCTIONS[key].topUpAslPlaceholder !== undefined,
);

/** Every placeholder the top-up ASL uses: one per top-up function plus the compensation DLQ URL. */
export function topUpPlaceholders(): string[] {
  return [
    ...TOP_UP_FUNCTION_KEYS.flatMap((key) => FUNCTIONS[key].topUpAslPlaceholder ?? []),
    ...Object.values(TOP_UP_ASL_RESOURCE_PLACEHOLDERS),
  ];
}

interface StateLike {
  Resource?: string;
  Retry?: unknown[];
}

/**
 * Expands the tokens the payment ASL uses too (core/saga/definition.ts): the
 * in-progress retrier first, sized by the Task's own function (a top-up
 * function), then the shared error lists, by the payment saga's own expander.
 */
export function expandTopUpDefinition(source: string): string {
  const definition = JSON.parse(source) as { States: Record<string, StateLike> };
  for (const [name, state] of Object.entries(definition.States)) {
    if (!state.Retry) continue;
    const key = TOP_UP_FUNCTION_KEYS.find(
      (k) => state.Resource === `\${${FUNCTIONS[k].topUpAslPlaceholder}}`,
    );
    state.Retry = state.Retry.map((retrier) => {
      if (retrier !== ASL_TOKENS.inProgressRetry) return retrier;
      if (!key)
        throw new Error(`${name}: ${ASL_TOKENS.inProgressRetry} is only for Tasks of top-up functions`);
      return inProgressRetrier(FUNCTIONS[key].timeoutSeconds);
    });
  }
  return expandSagaDefinition(JSON.stringify(definition));
}

/** The top-up ASL as written, tokens and all. */
export function readTopUpDefinitionSource(): string {
  return readFileSync(ASL_PATH, 'utf8');
}

/** The top-up ASL with its tokens expanded and its `${...}` placeholders kept, as stacks/ hands it to CDK. */
export function readTopUpDefinitionText(): string {
  return expandTopUpDefinition(readTopUpDefinitionSource());
}

/** The top-up ASL with its `${...}` placeholders substituted (definitionSubstitutions). */
export function renderTopUpDefinition(
  substitutions: Readonly<Record<string, string>>,
): Record<string, unknown> {
  return substituteDefinition(readTopUpDefinitionText(), substitutions, TOP_UP_ASL_FILE);
}
