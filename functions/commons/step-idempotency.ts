import {
  IdempotencyAlreadyInProgressError,
  type IdempotencyConfig,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { idempotencyStore, stepKeyPrefix } from './powertools';
import type { StepIdempotency } from './step-pipeline';

/**
 * Powertools idempotency for a saga whose steps keep records (payment, top-up): each step's run under its
 * own key prefix, with the saga's key and payload validation. Its own module, imported by those sagas'
 * step factories only: a saga without records (refunds) does not bundle or load Powertools idempotency,
 * JMESPath and the persistence layer (issue 18 goal 1, init; test/unit/function-bundle-imports.test.ts).
 */
export function powertoolsIdempotency(idempotencyConfig: () => IdempotencyConfig): StepIdempotency {
  return {
    wrap(run, stepName) {
      // Built once per handler: registerLambdaContext tells it each invocation's deadline.
      const config = idempotencyConfig();
      return {
        run: makeIdempotent(run, {
          persistenceStore: idempotencyStore(),
          config,
          keyPrefix: stepKeyPrefix(stepName),
        }),
        registerLambdaContext: (context) => config.registerLambdaContext(context),
      };
    },
    inProgress: (error) => error instanceof IdempotencyAlreadyInProgressError,
  };
}
