import { CfnEventBusPolicy, type IEventBus } from 'aws-cdk-lib/aws-events';
import { AnyPrincipal, ArnPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { APP_NAME } from '../core/config/names';
import { DETAIL_TYPES, PAYSAGA_OPS_SOURCE, PAYSAGA_SOURCE } from '../events/envelope';
import { ACTIONS } from './permissions';
import type { EventProducerConfig } from './stage-config';

export interface BusPolicyOptions {
  readonly busArn: string;
  /** Upstream systems (stage config): each may put PaymentRequested (and RefundRequested when `refunds`) under its own sources only. */
  readonly producers: readonly EventProducerConfig[];
  /** paysaga's roles that put PaymentRequested for a caller: the API's submit function. */
  readonly paymentRequesters: readonly string[];
  /** paysaga's roles that put RefundRequested: api-refunds, operations (payctl payments refund), the console's act. */
  readonly refundRequesters: readonly string[];
  /** paysaga's roles that publish under paysaga.*: intake (PaymentRejected), the saga (outcomes), operations (audit). */
  readonly paysagaPublishers: readonly string[];
}

/** Every source paysaga publishes under (PAYSAGA_SOURCE, PAYSAGA_OPS_SOURCE) starts with the app's name. */
export const PAYSAGA_SOURCE_PATTERN = `${APP_NAME}.*`;

/**
 * The bus's resource policy statements. Allows each upstream producer (often
 * another account) to put PaymentRequested under its own sources. Denies, to
 * everyone else including this account's own principals, putting
 * PaymentRequested (a request to move money), RefundRequested (but for the
 * front door's refunds function, operations and the console) or any event under paysaga.*
 * (outcomes and audit records that consumers trust): an explicit Deny in a
 * resource policy wins over any Allow in an identity policy, so an
 * over-broad role in the account cannot forge a request or an outcome.
 */
export function busPolicyStatements(options: BusPolicyOptions): PolicyStatement[] {
  const { busArn, producers } = options;
  for (const source of [PAYSAGA_SOURCE, PAYSAGA_OPS_SOURCE]) {
    if (!source.startsWith(`${APP_NAME}.`))
      throw new Error(`paysaga source ${source} is outside ${PAYSAGA_SOURCE_PATTERN}: widen the bus policy`);
  }
  const producerAllows = producers.map(
    (producer, index) =>
      new PolicyStatement({
        sid: `Producer${index}PutsPaymentRequested`,
        effect: Effect.ALLOW,
        principals: [new ArnPrincipal(producer.principal)],
        actions: [...ACTIONS.putEvents],
        resources: [busArn],
        conditions: {
          StringEquals: {
            'events:source': [...producer.sources],
            'events:detail-type': DETAIL_TYPES.paymentRequested,
          },
        },
      }),
  );
  const refundProducers = producers.filter((producer) => producer.refunds);
  const refundProducerAllows = refundProducers.map(
    (producer, index) =>
      new PolicyStatement({
        sid: `RefundProducer${index}PutsRefundRequested`,
        effect: Effect.ALLOW,
        principals: [new ArnPrincipal(producer.principal)],
        actions: [...ACTIONS.putEvents],
        resources: [busArn],
        conditions: {
          StringEquals: {
            'events:source': [...producer.sources],
            'events:detail-type': DETAIL_TYPES.refundRequested,
          },
        },
      }),
  );
  const denyPaymentRequested = new PolicyStatement({
    sid: 'OnlyKnownRequestersPutPaymentRequested',
    effect: Effect.DENY,
    principals: [new AnyPrincipal()],
    actions: [...ACTIONS.putEvents],
    resources: [busArn],
    conditions: {
      StringEquals: { 'events:detail-type': DETAIL_TYPES.paymentRequested },
      ArnNotEquals: {
        'aws:PrincipalArn': [
          ...producers.map((producer) => producer.principal),
          ...options.paymentRequesters,
        ],
      },
    },
  });
  // A refund moves money back out of the merchant's account: only the front door, operations and the
  // producers a stage lets ask for refunds (EventProducerConfig.refunds) ask for one.
  const denyRefundRequested = new PolicyStatement({
    sid: 'OnlyKnownRequestersPutRefundRequested',
    effect: Effect.DENY,
    principals: [new AnyPrincipal()],
    actions: [...ACTIONS.putEvents],
    resources: [busArn],
    conditions: {
      StringEquals: { 'events:detail-type': DETAIL_TYPES.refundRequested },
      ArnNotEquals: {
        'aws:PrincipalArn': [
          ...options.refundRequesters,
          ...refundProducers.map((producer) => producer.principal),
        ],
      },
    },
  });
  const denyPaysagaSources = new PolicyStatement({
    sid: 'OnlyPaysagaPublishesPaysagaSources',
    effect: Effect.DENY,
    principals: [new AnyPrincipal()],
    actions: [...ACTIONS.putEvents],
    resources: [busArn],
    conditions: {
      StringLike: { 'events:source': PAYSAGA_SOURCE_PATTERN },
      ArnNotEquals: { 'aws:PrincipalArn': [...options.paysagaPublishers] },
    },
  });
  return [
    ...producerAllows,
    ...refundProducerAllows,
    denyPaymentRequested,
    denyRefundRequested,
    denyPaysagaSources,
  ];
}

/**
 * One AWS::Events::EventBusPolicy per statement (the bus itself carries no
 * Policy property, which would overwrite them), created one after another:
 * each is a read-modify-write of the bus's one policy document, and two in
 * parallel could lose a statement.
 */
export function attachBusPolicy(
  scope: Construct,
  bus: IEventBus,
  statements: readonly PolicyStatement[],
): void {
  let previous: CfnEventBusPolicy | undefined;
  for (const statement of statements) {
    if (!statement.sid) throw new Error('every bus policy statement needs a sid (its statement id)');
    const policy = new CfnEventBusPolicy(scope, `BusPolicy${statement.sid}`, {
      eventBusName: bus.eventBusName,
      statementId: statement.sid,
      statement: statement.toStatementJson(),
    });
    if (previous) policy.node.addDependency(previous);
    previous = policy;
  }
}
