import { type Command, Option } from 'commander';
import { QUEUES, type QueueKey } from '../../core/config/names';
import type { CliContext } from '../context';
import { CliError, EXIT } from '../errors';
import type { RegisterCommands } from '../registry';
import type { AuditNote } from './actions/audited';
import { cancelDlqRedriveAction, redriveDlqAction } from './actions/redrive-dlq';
import { redriveSagasAction } from './actions/redrive-sagas';
import { parsePaymentId, parsePositiveInt, parseSagaRef, parseSince, resolveDlq } from './args';
import { listAudit } from './audit';
import { describeRedriveResult, listDlqs, peekDlq, planRedrive, refuseIntakeRejections } from './dlq';
import { clip, formatAge } from './format';
import { DEFAULT_MAX_REDRIVES, inspectSaga, listFailedSagas, type SagaSummary, showSaga } from './sagas';

/** Nothing was changed because the operator said no. */
function notConfirmed(): CliError {
  return new CliError('not confirmed: nothing was changed', EXIT.failure);
}

/**
 * Says what an action's audit write did: a record stored but not published
 * is a warning; no record at all is a problem, returned for finish() to turn
 * into a partial-success exit after the result.
 */
export function reportAudit(ctx: CliContext, note: AuditNote): string | undefined {
  if (note.warning) ctx.out.note(`warning: ${note.warning}`);
  if (note.problem) ctx.out.note(`error: ${note.problem}`);
  return note.problem;
}

/** Ends a state-changing command: a failed outcome wins, else a failed audit write is a partial success. */
function finish(failure: CliError | undefined, auditProblem: string | undefined): void {
  if (failure) throw failure;
  if (auditProblem) throw new CliError(auditProblem, EXIT.partial);
}

function registerDlq(program: Command, context: () => CliContext): void {
  const dlq = program.command('dlq').description('dead-letter queues: list, peek, redrive');

  dlq
    .command('list')
    .description('every paysaga DLQ: depth, in flight, oldest message age, source queue, latest redrive')
    .action(async () => {
      const ctx = context();
      const rows = await listDlqs(ctx);
      ctx.out.table(rows, [
        { header: 'QUEUE', value: (r) => QUEUES[r.key].suffix },
        { header: 'DEPTH', value: (r) => r.depth, align: 'right' },
        { header: 'IN FLIGHT', value: (r) => r.inFlight, align: 'right' },
        {
          header: 'OLDEST',
          value: (r) =>
            `${r.oldestSampled && r.oldestAgeSeconds !== undefined ? '>=' : ''}${formatAge(r.oldestAgeSeconds)}`,
          align: 'right',
        },
        { header: 'REDRIVES TO', value: (r) => r.source ?? '(by hand)' },
        {
          header: 'LAST REDRIVE',
          value: (r) => (r.redrive ? `${r.redrive.status} ${r.redrive.moved}/${r.redrive.toMove}` : '-'),
        },
        { header: 'HOLDS', value: (r) => r.holds },
      ]);
    });

  dlq
    .command('peek <queue>')
    .description('decoded messages without consuming them (visibility restored); card data is masked')
    .option('--limit <n>', 'messages to show (1-100)', '10')
    .action(async (queue: string, options: { limit: string }) => {
      const ctx = context();
      const key = resolveDlq(ctx.names, queue);
      const limit = parsePositiveInt('--limit', options.limit, 100);
      const messages = await peekDlq(ctx, key, { limit });
      ctx.out.result(messages, () => {
        if (messages.length === 0) {
          ctx.out.line(`${ctx.names.queues[key]} is empty`);
          return;
        }
        for (const m of messages) {
          ctx.out.line(`message ${m.messageId}`);
          ctx.out.line(`  paymentId:     ${m.paymentId ?? '(unknown)'}`);
          ctx.out.line(`  reason:        ${m.reasonCode ? `[${m.reasonCode}] ` : ''}${m.reason}`);
          ctx.out.line(`  receives:      ${m.receiveCount}`);
          ctx.out.line(`  first failure: ${m.firstFailureAt ?? '-'}`);
          ctx.out.line(`  body:          ${JSON.stringify(m.body)}`);
          ctx.out.line();
        }
        ctx.out.line(`${messages.length} message(s) shown; all left in ${ctx.names.queues[key]}`);
      });
    });

  dlq
    .command('redrive <queue>')
    .description('move messages back to their source queue (SQS message move task) and wait until done')
    .option('--max-per-second <n>', 'MaxNumberOfMessagesPerSecond (1-500; default: as fast as SQS goes)')
    .option('--dry-run', 'say what would be moved; change nothing', false)
    .option('--cancel', 'cancel the running redrive of this queue', false)
    .option('--include-rejected', 'also move intake rejections (already reported as PaymentRejected)', false)
    .addOption(new Option('--poll-ms <ms>', 'progress polling interval').default('1000').hideHelp())
    .action(
      async (
        queue: string,
        options: {
          maxPerSecond?: string;
          dryRun: boolean;
          cancel: boolean;
          includeRejected: boolean;
          pollMs: string;
        },
      ) => {
        const ctx = context();
        const key = resolveDlq(ctx.names, queue);
        if (options.cancel) return cancelDlqRedrive(ctx, key, options.dryRun);
        const maxPerSecond =
          options.maxPerSecond === undefined
            ? undefined
            : parsePositiveInt('--max-per-second', options.maxPerSecond, 500);
        const plan = await planRedrive(ctx, key, maxPerSecond === undefined ? {} : { maxPerSecond });
        const what = `move ${plan.toMove} message(s) from ${plan.queue} back to ${plan.destination}${maxPerSecond ? ` at ${maxPerSecond}/s` : ''} (${plan.method === 'move-task' ? 'SQS message move task' : 'moved by payctl: SQS move tasks do not take this DLQ'})`;
        if (plan.inFlight > 0) {
          ctx.out.note(
            `note: ${plan.inFlight} message(s) of ${plan.queue} are in flight (being read) and will not be moved`,
          );
        }
        refuseIntakeRejections(
          plan,
          options.includeRejected,
          `pass --include-rejected${options.dryRun ? ' (dry run: nothing changed)' : ''}`,
        );
        if (options.dryRun) {
          ctx.out.result({ dryRun: true, ...plan }, () =>
            ctx.out.line(`dry run: would ${what}; nothing changed`),
          );
          return;
        }
        if (plan.toMove === 0) {
          ctx.out.result({ ...plan, moved: 0, status: 'NOTHING_TO_MOVE' }, () =>
            ctx.out.line(`${plan.queue} is empty: nothing to redrive`),
          );
          return;
        }
        if (!(await ctx.confirm(`${what[0]?.toUpperCase()}${what.slice(1)}?`))) throw notConfirmed();
        const bar = ctx.out.progress(`redrive ${QUEUES[key].suffix}`, plan.toMove);
        const { result, outcome, audit } = await redriveDlqAction(ctx, plan, {
          pollMs: Number(options.pollMs) || 1000,
          onProgress: (p) => bar.tick(p.moved, p.status),
        });
        bar.done(result.status);
        ctx.out.result(result, () => ctx.out.line(describeRedriveResult(result)));
        const auditProblem = reportAudit(ctx, audit);
        finish(
          outcome === 'succeeded'
            ? undefined
            : new CliError(
                `redrive of ${plan.queue} ended ${result.status}: ${result.moved} moved, ${result.failed} not moved${result.failureReason ? ` (${result.failureReason})` : ''}; run payctl dlq list, then redrive again`,
                result.moved > 0 ? EXIT.partial : EXIT.failure,
              ),
          auditProblem,
        );
      },
    );
}

async function cancelDlqRedrive(ctx: CliContext, key: QueueKey, dryRun: boolean): Promise<void> {
  if (dryRun) {
    ctx.out.result({ dryRun: true, cancel: ctx.names.queues[key] }, () =>
      ctx.out.line(`dry run: would cancel the running redrive of ${ctx.names.queues[key]}; nothing changed`),
    );
    return;
  }
  if (!(await ctx.confirm(`Cancel the running redrive of ${ctx.names.queues[key]}?`))) throw notConfirmed();
  const { result: cancelled, audit } = await cancelDlqRedriveAction(ctx, key);
  ctx.out.result(cancelled, () =>
    ctx.out.line(
      `cancelled the redrive of ${cancelled.queue}: ${cancelled.moved} message(s) had been moved; the rest stay in the DLQ`,
    ),
  );
  finish(undefined, reportAudit(ctx, audit));
}

const sagaColumns = [
  { header: 'PAYMENT', value: (s: SagaSummary) => s.paymentId },
  { header: 'STATUS', value: (s: SagaSummary) => s.status },
  { header: 'STATE', value: (s: SagaSummary) => s.failedState ?? '-' },
  { header: 'ERROR', value: (s: SagaSummary) => s.error ?? '-' },
  { header: 'AGE', value: (s: SagaSummary) => formatAge(s.ageSeconds), align: 'right' as const },
  { header: 'REDRIVES', value: (s: SagaSummary) => s.redriveCount, align: 'right' as const },
  { header: 'REDRIVABLE', value: (s: SagaSummary) => (s.redrivable ? 'yes' : `no: ${clip(s.verdict, 60)}`) },
  { header: 'CAUSE', value: (s: SagaSummary) => clip(s.cause, 60) },
];

function registerSagas(program: Command, context: () => CliContext): void {
  const sagas = program.command('sagas').description('failed sagas: list, redrive, show');

  sagas
    .command('failed')
    .description('failed, timed-out and aborted sagas: failed state, error, cause, age, redrivable or not')
    .option('--since <when>', 'stopped since: 90s, 30m, 24h, 14d or an ISO date', '24h')
    .option('--error <name>', 'only this error, e.g. GatewayUnavailableError')
    .option(
      '--max-redrives <n>',
      'redrive policy: at most this many redrives per saga',
      String(DEFAULT_MAX_REDRIVES),
    )
    .action(async (options: { since: string; error?: string; maxRedrives: string }) => {
      const ctx = context();
      const rows = await listFailedSagas(ctx, {
        since: parseSince(options.since),
        ...(options.error !== undefined && { error: options.error }),
        maxRedrives: parsePositiveInt('--max-redrives', options.maxRedrives),
      });
      ctx.out.table(rows, sagaColumns);
      if (!ctx.out.json && rows.length > 0) {
        const redrivable = rows.filter((r) => r.redrivable).length;
        ctx.out.line(
          `${rows.length} unsuccessful saga(s), ${redrivable} redrivable: payctl sagas redrive --all-failed --since ${options.since}`,
        );
      }
    });

  sagas
    .command('redrive [target]')
    .description(
      'RedriveExecution of a saga (paymentId or execution ARN) or of every redrivable failed saga, after pre-flight checks',
    )
    .option('--all-failed', 'every redrivable saga that failed since --since', false)
    .option('--since <when>', 'with --all-failed: stopped since (90s, 30m, 24h, 14d, ISO date)', '24h')
    .option('--error <name>', 'with --all-failed: only sagas that failed with this error')
    .option('--dry-run', 'run the pre-flight checks and say what would be redriven; change nothing', false)
    .option(
      '--max-redrives <n>',
      'refuse sagas already redriven this many times',
      String(DEFAULT_MAX_REDRIVES),
    )
    .option('--no-wait', 'do not wait for the redriven sagas to end')
    .option('--wait-timeout <seconds>', 'how long to wait for the redriven sagas', '300')
    .addOption(new Option('--poll-ms <ms>', 'status polling interval').default('1000').hideHelp())
    .action(
      async (
        target: string | undefined,
        options: {
          allFailed: boolean;
          since: string;
          error?: string;
          dryRun: boolean;
          maxRedrives: string;
          wait: boolean;
          waitTimeout: string;
          pollMs: string;
        },
      ) => {
        const ctx = context();
        if (Boolean(target) === options.allFailed) {
          throw new CliError(
            'name one saga (paymentId or execution ARN) or pass --all-failed, not both',
            EXIT.usage,
          );
        }
        const maxRedrives = parsePositiveInt('--max-redrives', options.maxRedrives);
        const since = options.allFailed ? parseSince(options.since) : undefined;
        const waitTimeoutMs = parsePositiveInt('--wait-timeout', options.waitTimeout) * 1000;
        const ref = target ? parseSagaRef(ctx.names, target) : undefined;

        // Pre-flight.
        const candidates = ref
          ? [await inspectSaga(ctx, ref, { maxRedrives })]
          : await listFailedSagas(ctx, {
              since: since ?? new Date(),
              maxRedrives,
              ...(options.error !== undefined && { error: options.error }),
            });
        const ready = candidates.filter((s) => s.redrivable);
        const refused = candidates.filter((s) => !s.redrivable);
        const selection = ref
          ? ((ready[0] ?? candidates[0])?.executionArn ?? target ?? '')
          : `all failed since ${since?.toISOString()}${options.error ? ` with ${options.error}` : ''}`;
        if (ref && ready.length === 0) {
          const saga = candidates[0];
          throw new CliError(`not redriving ${saga?.paymentId}: ${saga?.verdict}`, EXIT.failure);
        }
        for (const saga of refused)
          ctx.out.note(
            `skip ${saga.paymentId} (${saga.status} at ${saga.failedState ?? '?'}): ${saga.verdict}`,
          );
        if (options.dryRun || ready.length === 0) {
          const plan = { dryRun: options.dryRun, wouldRedrive: ready, skipped: refused };
          ctx.out.result(plan, () => {
            if (ready.length > 0) ctx.out.table(ready, sagaColumns);
            ctx.out.line(
              ready.length === 0
                ? `nothing to redrive (${refused.length} unsuccessful saga(s) skipped)`
                : `dry run: would redrive ${ready.length} saga(s), skip ${refused.length}; nothing changed`,
            );
          });
          return;
        }
        if (
          !(await ctx.confirm(
            `Redrive ${ready.length} saga(s) (${clip(ready.map((s) => s.paymentId).join(', '), 120)})?`,
          ))
        ) {
          throw notConfirmed();
        }

        const bar = ctx.out.progress('redrive sagas', ready.length);
        const { result, outcome, audit } = await redriveSagasAction(
          ctx,
          { ready, skipped: refused.length, target: selection },
          {
            wait: options.wait,
            waitTimeoutMs,
            pollMs: Number(options.pollMs) || 1000,
            onProgress: (done, _total, item) =>
              bar.tick(done, item ? `${item.paymentId} ${item.outcome}` : undefined),
          },
        );
        bar.done();
        const { items, summary, ok } = result;
        ctx.out.result({ ...summary, items, skipped: refused }, () => {
          ctx.out.table(items, [
            { header: 'PAYMENT', value: (i) => i.paymentId },
            { header: 'OUTCOME', value: (i) => i.outcome },
            { header: 'DETAIL', value: (i) => clip(i.detail, 100) },
          ]);
          ctx.out.line(
            `redriven ${summary.redriven}: succeeded ${summary.succeeded}, compensated ${summary.compensated}, failed again ${summary.failedAgain}, still running ${summary.stillRunning}; not redriven ${summary.notRedriven}; skipped ${summary.skipped}`,
          );
        });
        const auditProblem = reportAudit(ctx, audit);
        finish(
          outcome === 'succeeded'
            ? undefined
            : new CliError(
                `${ready.length - ok} of ${ready.length} saga(s) did not ${options.wait ? 'succeed or end compensated' : 'redrive'}: see the table above and payctl sagas show <paymentId>`,
                outcome === 'partial' ? EXIT.partial : EXIT.failure,
              ),
          auditProblem,
        );
      },
    );

  sagas
    .command('show <paymentId>')
    .description(
      "a payment's saga: status, current or failed state, error, redrive verdict, where its history is",
    )
    .action(async (paymentId: string) => {
      const ctx = context();
      const details = await showSaga(ctx, parsePaymentId(paymentId));
      ctx.out.result(details, () => {
        const line = (label: string, value: string | number | undefined) =>
          ctx.out.line(`${`${label}:`.padEnd(16)}${value ?? '-'}`);
        line('payment', details.paymentId);
        line('execution', details.executionArn);
        line('status', details.status);
        if (details.currentState) line('current state', details.currentState);
        if (details.failedState) line('failed state', details.failedState);
        if (details.error) line('error', details.error);
        if (details.cause) line('cause', details.cause);
        line('started', details.startedAt);
        line('stopped', details.stoppedAt);
        line('redrives', details.redriveCount);
        if (details.status !== 'SUCCEEDED' && details.status !== 'RUNNING') {
          line('redrivable', details.redrivable ? `yes: ${details.verdict}` : `no: ${details.verdict}`);
        }
        line(
          'payment record',
          details.payment
            ? `${details.payment.status} ${details.payment.amount} minor units ${details.payment.currency}`
            : '(none)',
        );
        if (details.links.console) line('console', details.links.console);
        line('history', details.links.history);
      });
    });
}

function registerAudit(program: Command, context: () => CliContext): void {
  program
    .command('audit')
    .description('operations audit records (redrives, cancels): who, what, when, how many, outcome')
    .option('--since <when>', '90s, 30m, 24h, 14d or an ISO date', '7d')
    .action(async (options: { since: string }) => {
      const ctx = context();
      const entries = await listAudit(ctx, parseSince(options.since));
      ctx.out.table(entries, [
        { header: 'AT', value: (e) => e.at },
        { header: 'WHO', value: (e) => e.actor },
        { header: 'ACTION', value: (e) => e.action },
        { header: 'TARGET', value: (e) => clip(e.target, 70) },
        { header: 'COUNT', value: (e) => e.count, align: 'right' },
        { header: 'OUTCOME', value: (e) => e.outcome },
        { header: 'MESSAGE', value: (e) => clip(e.message, 80) },
      ]);
    });
}

/** The operations command groups: `dlq`, `sagas`, `audit`. */
export const registerOpsCommands: RegisterCommands = (program, context) => {
  registerDlq(program, context);
  registerSagas(program, context);
  registerAudit(program, context);
};
