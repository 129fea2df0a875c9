import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FUNCTION_KEYS, FUNCTIONS, type FunctionKey } from '../config/names';
import { expandSagaDefinition, substituteDefinition } from '../saga/definition';

/**
 * The refund saga's ASL (workflows/refund-saga.asl.json), its shared error
 * tokens expanded by the payment saga's expander (paysaga:TransientErrors,
 * paysaga:FinalErrors from core/errors.ts); the refund's own final errors
 * (REFUND_FINAL_ERROR_NAMES) are named beside the token. No Task uses
 * paysaga:InProgressRetry: no refund step keeps a Powertools idempotency
 * record (each is idempotent by its own conditional write or gateway key).
 */
export const REFUND_ASL_FILE = 'workflows/refund-saga.asl.json';

/** The `${...}` placeholders of the refund ASL: its functions and the compensation DLQ. */
export const REFUND_ASL_PLACEHOLDERS = {
  reserve: 'RefundReserveFunctionArn',
  gateway: 'RefundAtGatewayFunctionArn',
  reversal: 'RefundPostReversalFunctionArn',
  release: 'RefundReleaseFunctionArn',
  recordOutcome: 'RefundRecordOutcomeFunctionArn',
  compensationDlqUrl: 'CompensationDlqUrl',
} as const;

const ASL_PATH = fileURLToPath(new URL(`../../${REFUND_ASL_FILE}`, import.meta.url));

/** The refund ASL as written, tokens and all. */
export function readRefundDefinitionSource(): string {
  return readFileSync(ASL_PATH, 'utf8');
}

/** The refund ASL with its tokens expanded and its `${...}` placeholders kept (what a stack hands to CDK). */
export function readRefundDefinitionText(): string {
  return expandSagaDefinition(readRefundDefinitionSource());
}

/** The functions the refund state machine invokes: every function with a refund ASL placeholder. */
export const REFUND_FUNCTION_KEYS: readonly FunctionKey[] = FUNCTION_KEYS.filter(
  (key) => FUNCTIONS[key].refundAslPlaceholder !== undefined,
);

/** The refund ASL with its `${...}` placeholders substituted (definitionSubstitutions). */
export function renderRefundDefinition(
  substitutions: Readonly<Record<string, string>>,
): Record<string, unknown> {
  return substituteDefinition(readRefundDefinitionText(), substitutions, REFUND_ASL_FILE);
}
