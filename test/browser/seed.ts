import { randomUUID } from 'node:crypto';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { GatewayUnavailableError, LedgerInvariantError } from '../../core/errors';
import { Ledger } from '../../core/ledger';
import type { Currency } from '../../core/money';
import { DETAIL_TYPES } from '../../events/envelope';
import { importHandler, type LambdaHandler } from '../../local/functions/registry';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';

/**
 * A local runtime with the payments the console tests look at, all put through
 * real PutEvents and the real saga:
 *   ok        EUR 12.50, succeeded
 *   big       EUR 250.00, succeeded
 *   usd       USD 40.00, succeeded
 *   retried   EUR 30.00, Charge failed twice with 503 and succeeded on the third attempt
 *   declined  EUR 20.00, card declined: ReleaseFunds
 *   settle    EUR 15.00, Settle fails for good: RefundCharge then ReleaseFunds
 *   notify    EUR 5.00, Notify fails after its retries: the notification DLQ (payment succeeded)
 *   stopped   EUR 7.00, the gateway stays down: the saga stops at Charge, redrivable
 *   poison    an invalid PaymentRequested, rejected into the intake DLQ
 * Settle and Notify failures come from wrapped handlers keyed by paymentId prefix.
 * Each payment has its own wallet holding all but 2.50 of it: wallet first, the gateway charges 2.50.
 */

export interface Seeded {
  readonly runtime: TestRuntime;
  readonly clients: ReturnType<typeof sdkClients>;
  readonly ids: {
    readonly ok: string;
    readonly big: string;
    readonly usd: string;
    readonly retried: string;
    readonly declined: string;
    readonly settle: string;
    readonly notify: string;
    readonly stopped: string;
    readonly poison: string;
  };
  /** Every message body the notification queue's consumer (webhook-fanout) was handed, in order. */
  readonly notificationsConsumed: readonly string[];
}

const SETTLE_FAILS = 'pay_settlefail_';
const NOTIFY_FAILS = 'pay_notifyfail_';

function paymentIdOf(event: unknown): string {
  return (event as { payment?: { paymentId?: string } }).payment?.paymentId ?? '';
}

/** The real handler, except for payments whose id starts with `prefix`: those throw `error()`. */
function failing(key: 'settle' | 'notify', prefix: string, error: () => Error): LambdaHandler {
  let real: Promise<LambdaHandler> | undefined;
  return async (event, context) => {
    if (paymentIdOf(event).startsWith(prefix)) throw error();
    real ??= importHandler(key);
    return (await real)(event, context);
  };
}

const unique = (prefix: string) => `${prefix}${randomUUID().slice(0, 10)}`;

/** The real webhook-fanout (the notification queue's consumer), noting each SQS message body it is handed. */
function recordingFanout(bodies: string[]): LambdaHandler {
  let real: Promise<LambdaHandler> | undefined;
  return async (event, context) => {
    for (const record of (event as { Records?: Array<{ body?: string }> }).Records ?? [])
      bodies.push(record.body ?? '');
    real ??= importHandler('webhookFanout');
    return (await real)(event, context);
  };
}

export async function seedRuntime(): Promise<Seeded> {
  const notificationsConsumed: string[] = [];
  const runtime = await startTestRuntime({
    functionOverrides: {
      webhookFanout: recordingFanout(notificationsConsumed),
      settle: failing(
        'settle',
        SETTLE_FAILS,
        () => new LedgerInvariantError('settle refused: the hold is gone (seeded)'),
      ),
      notify: failing(
        'notify',
        NOTIFY_FAILS,
        () => new GatewayUnavailableError('merchant endpoint down (seeded)'),
      ),
    },
  });
  const clients = sdkClients(runtime);
  const ledger = new Ledger({ doc: clients.documents, tableName: runtime.names.tables.ledger });

  const wallet = async (currency: Currency, minor: number) => {
    const walletId = unique('wal_');
    await ledger.openWallet(walletId, currency);
    await ledger.deposit(walletId, { value: minor, currency }, `dep-${walletId}`);
    return walletId;
  };
  // Wallet first: each payment's wallet holds all but CARD_PART of it, so every saga also charges the
  // gateway (2.50) and the gateway scenarios (retries, decline, outage) happen.
  const CARD_PART = 250;
  const paying = (currency: Currency, value: number) => wallet(currency, value - CARD_PART);

  const ids = {
    ok: unique('pay_ok_'),
    big: unique('pay_big_'),
    usd: unique('pay_usd_'),
    retried: unique('pay_retried_'),
    declined: unique('pay_declined_'),
    settle: unique(SETTLE_FAILS),
    notify: unique(NOTIFY_FAILS),
    stopped: unique('pay_stopped_'),
    poison: unique('pay_poison_'),
  };
  const request = async (
    paymentId: string,
    value: number,
    currency: string,
    paymentMethod = 'pm_card_visa',
  ) => ({
    schemaVersion: '1',
    paymentId,
    walletId: await paying(currency as Currency, value),
    merchantId: 'mer_bookshop',
    amount: { value, currency, exponent: 2 },
    paymentMethod,
    requestedAt: new Date().toISOString(),
  });
  const details = [
    await request(ids.ok, 1250, 'EUR'),
    await request(ids.big, 25_000, 'EUR'),
    await request(ids.usd, 4000, 'USD'),
    await request(ids.retried, 3000, 'EUR', 'pm_sandbox_unavailable_2'),
    await request(ids.declined, 2000, 'EUR', 'pm_card_chargeDeclined'),
    await request(ids.settle, 1500, 'EUR'),
    await request(ids.notify, 500, 'EUR'),
    await request(ids.stopped, 700, 'EUR', 'pm_sandbox_unavailable'),
    // Invalid: a negative amount fails the contract; intake rejects it into the intake DLQ.
    {
      ...(await request(ids.poison, 1000, 'EUR')),
      amount: { value: -100, currency: 'EUR', exponent: 2 },
    },
  ];
  const put = await clients.events.send(
    new PutEventsCommand({
      Entries: details.map((detail) => ({
        EventBusName: runtime.names.eventBus,
        Source: 'shop.checkout',
        DetailType: DETAIL_TYPES.paymentRequested,
        Detail: JSON.stringify(detail),
      })),
    }),
  );
  if (put.FailedEntryCount) throw new Error(`seeding: ${put.FailedEntryCount} PutEvents entries failed`);

  const executionArn = (paymentId: string) =>
    `${runtime.env.STATE_MACHINE_ARN?.replace(':stateMachine:', ':execution:')}:${paymentId}`;
  await Promise.all(
    Object.entries(ids)
      .filter(([name]) => name !== 'poison')
      .map(([, paymentId]) =>
        waitFor(
          `the saga of ${paymentId} to end`,
          async () => {
            const execution = await clients.sfn
              .send(new DescribeExecutionCommand({ executionArn: executionArn(paymentId) }))
              .catch(() => undefined);
            return execution && execution.status !== 'RUNNING' ? execution : undefined;
          },
          // Generous: a loaded CI machine (the whole suite beside us) slows the retried sagas down.
          120_000,
        ),
      ),
  );
  return { runtime, clients, ids, notificationsConsumed };
}
