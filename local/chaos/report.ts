import type { CheckResult } from './checks';
import type { OpsRedriveReport } from './quiesce';
import type { InjectedKind, PaymentKind } from './schedule';

export interface ChaosSummary {
  readonly ok: boolean;
  readonly seed: number;
  readonly reproduce: string;
  readonly payments: number;
  readonly events: number;
  /** Payments per planned kind (gateway faults, refused settles, declines, short wallets). */
  readonly planned: Partial<Record<PaymentKind, number>>;
  /** Faults that happened: counted by the runtime's hooks, the harness and the gateway's charges. */
  readonly injected: Partial<Record<InjectedKind | PaymentKind, number>>;
  readonly kills: number;
  readonly restarts: number;
  readonly sagas: Readonly<Record<string, number>>;
  readonly dlq: Readonly<Record<string, number>>;
  readonly redrive: OpsRedriveReport;
  /** Top-ups mixed into the stream: how many, per gateway kind, and how they ended. */
  readonly topUps: {
    readonly sent: number;
    readonly planned: Partial<Record<PaymentKind, number>>;
    readonly outcomes: Readonly<Record<string, number>>;
  };
  /** Refunds after success: planned, sent once their payment SUCCEEDED, and how they ended (status, or refused). */
  readonly refunds: {
    readonly planned: number;
    readonly sent: number;
    readonly shapes: Readonly<Record<string, number>>;
    readonly outcomes: Readonly<Record<string, number>>;
  };
  readonly lost: number;
  readonly topUpsLost: number;
  readonly refundsLost: number;
  readonly refundDoublePosts: number;
  readonly topUpDoubleCharges: number;
  readonly doubleCharges: number;
  readonly unreleasedHolds: number;
  readonly moneyConserved: boolean;
  readonly reconciliation: 'clean' | 'discrepancies';
  readonly wallMs: number;
  readonly sagasPerSecond: number;
  readonly checks: readonly CheckResult[];
}

const figures = (record: Readonly<Record<string, number | undefined>>): string =>
  Object.entries(record)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ') || 'none';

/** The summary for people: one table of figures, then the checks. */
export function renderChaosSummary(summary: ChaosSummary): string {
  const rows: Array<[string, string]> = [
    ['seed', String(summary.seed)],
    ['payments', `${summary.payments} (${summary.events} events sent)`],
    ['planned at the gateway/ledger', figures(summary.planned)],
    ['faults injected', figures(summary.injected)],
    ['kill -9 / restarts', `${summary.kills} / ${summary.restarts}`],
    ['sagas', figures(summary.sagas)],
    ['DLQ messages of the run', figures(summary.dlq)],
    [
      'ops redrive',
      `${summary.redrive.rounds} rounds, ${summary.redrive.sagasRedriven} sagas (${figures(summary.redrive.sagasRedrivenBy)}), ${summary.redrive.dlqMessagesMoved} DLQ messages moved`,
    ],
    [
      'top-ups',
      `${summary.topUps.sent} (${figures(summary.topUps.planned)}); ended: ${figures(summary.topUps.outcomes)}`,
    ],
    [
      'refunds',
      `${summary.refunds.sent} sent of ${summary.refunds.planned} planned (${figures(summary.refunds.shapes)}); ended: ${figures(summary.refunds.outcomes)}`,
    ],
    ['lost', String(summary.lost)],
    ['top-ups lost', String(summary.topUpsLost)],
    ['refunds lost', String(summary.refundsLost)],
    ['refund double posts', String(summary.refundDoublePosts)],
    ['double charges', String(summary.doubleCharges)],
    ['top-up double charges', String(summary.topUpDoubleCharges)],
    ['unreleased holds', String(summary.unreleasedHolds)],
    ['money conserved', summary.moneyConserved ? 'yes' : 'NO'],
    ['reconciliation', summary.reconciliation],
    ['wall time', `${(summary.wallMs / 1000).toFixed(1)} s (${summary.sagasPerSecond} sagas/s)`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = [
    `chaos run ${summary.ok ? 'PASSED' : 'FAILED'}`,
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    '',
    'checks:',
    ...summary.checks.map((check) => `  ${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`),
    '',
    `reproduce: ${summary.reproduce}`,
  ];
  return lines.join('\n');
}
