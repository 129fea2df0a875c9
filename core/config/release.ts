import './zod-locale';
import * as z from 'zod/mini';

/**
 * How a new version of a saga's state machine reaches traffic, per stage: the
 * one place stacks/constructs/saga-release.ts, the local runtime and the tests
 * read. Intake and the front door start executions on the alias; a deploy
 * publishes a version and the alias's DeploymentPreference shifts traffic to it.
 */

/** The alias every saga execution is started on (locally too: `npm start` publishes version 1 under it). */
export const SAGA_ALIAS = 'live';

export const DEPLOYMENT_TYPES = ['ALL_AT_ONCE', 'CANARY', 'LINEAR'] as const;
export type DeploymentType = (typeof DEPLOYMENT_TYPES)[number];

/** AWS::StepFunctions::StateMachineAlias DeploymentPreference: Percentage 1-99, Interval 1-2100 minutes. */
export const SagaRelease = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ALL_AT_ONCE') }),
  z.object({
    type: z.enum(['CANARY', 'LINEAR']),
    /** CANARY: the share the new version gets first; LINEAR: the share added each interval. */
    percentage: z.number().check(z.int(), z.gte(1), z.lte(99)),
    /** Minutes between shifts (CANARY: before the rest moves). */
    intervalMinutes: z.number().check(z.int(), z.gte(1), z.lte(2100)),
  }),
]);
export type SagaRelease = z.infer<typeof SagaRelease>;

/**
 * The Ops alarms (stacks/Ops.ts ids, named `paysaga-<stage>-<id>`) that roll a
 * deployment back: the saga stopping or timing out, steps failing with errors
 * that are not business outcomes, refused status moves, and a compensation
 * that needs a person. Names only: CloudWatch treats an alarm that does not
 * exist as OK, so test/infra/saga-release.test.ts checks each one exists.
 */
export const ROLLBACK_ALARM_IDS = {
  paymentSaga: [
    'saga-failed',
    'saga-timed-out',
    'technical-errors-transient',
    'technical-errors-unexpected',
    'illegal-status-moves',
    'compensationDlq-arrival',
  ],
  topUpSaga: ['top-up-saga-failed', 'compensationDlq-arrival'],
  refundSaga: ['refund-saga-failed', 'refund-saga-timed-out', 'compensationDlq-arrival'],
} as const satisfies Record<string, readonly string[]>;
export type ReleasedSaga = keyof typeof ROLLBACK_ALARM_IDS;

const RELEASES: Readonly<Record<'dev' | 'prod', SagaRelease>> = {
  // Personal stages, CI and previews: every execution on the new version at once.
  dev: { type: 'ALL_AT_ONCE' },
  // 10 % of new sagas on the new version for 15 minutes (three 5-minute alarm periods), then all of them.
  prod: { type: 'CANARY', percentage: 10, intervalMinutes: 15 },
};

/** The stage's release: `prod` canaries, every other stage is `dev`. */
export function sagaRelease(stage: string): SagaRelease {
  return SagaRelease.parse(stage === 'prod' ? RELEASES.prod : RELEASES.dev);
}

/** An alias's ARN: the state machine's ARN qualified by the alias name. */
export function aliasArnFor(stateMachineArn: string, alias: string = SAGA_ALIAS): string {
  return `${stateMachineArn}:${alias}`;
}
