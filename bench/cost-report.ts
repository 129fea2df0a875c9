/** The output of `npm run bench:cost`: tables for people, or `--json`. */
import type { FunctionKey } from '../core/config/names';
import type { DynamoUnits } from './cost-dynamo';
import { type Assumptions, COST_LINES, type Cost, costOf, perMillion, type Usage } from './cost-model';
import type { Prices } from './cost-prices';

/** One measured flow (a payment, a top-up, a refund). */
export interface Flow {
  readonly label: string;
  readonly states: readonly string[];
  readonly status: string;
  readonly usage: Usage;
  readonly dynamo: DynamoUnits;
  readonly cost: Cost;
}

export interface Report {
  readonly json: boolean;
  readonly meta: Readonly<Record<string, unknown>>;
  readonly prices: Prices;
  readonly assumptions: Assumptions & { readonly initSource: string };
  readonly flows: readonly Flow[];
}

const INIT_LINE = 'Lambda init per cold start (arm64 GB-s)';
/** The init line if every invocation were a cold start (a scale-out burst): a bound, not in the total. */
const initIfAllCold = (flow: Flow, assumptions: Assumptions): number =>
  costOf(flow.usage, { ...assumptions, coldStartShare: 1 }).lines[INIT_LINE];

const usd = (perSaga: number) => `$${perMillion(perSaga).toFixed(2)}`;
const listed = (counts: Readonly<Record<string, number | undefined>>) =>
  Object.entries(counts)
    .map(([k, v]) => `${k.replace(/Command$/, '')} ${v}`)
    .join(', ') || '-';
const round = (value: number, digits = 3) => Number(value.toFixed(digits));

export function printReport(report: Report): void {
  const { flows, assumptions } = report;
  if (report.json) {
    console.log(
      JSON.stringify(
        {
          ...report.meta,
          prices: report.prices,
          assumptions: {
            ...assumptions,
            readsSecretOnColdStart: [...assumptions.readsSecretOnColdStart],
          },
          flows: Object.fromEntries(
            flows.map((f) => [
              f.label,
              {
                path: f.states,
                status: f.status,
                usage: f.usage,
                dynamo: {
                  estimated: f.dynamo.estimated,
                  indexWrites: f.dynamo.indexWrites,
                  requests: f.dynamo.listing,
                },
                perSaga: f.cost,
                perMillionUsd: Object.fromEntries(
                  COST_LINES.map((l) => [l, round(perMillion(f.cost.lines[l]), 4)]),
                ),
                totalPerMillionUsd: round(perMillion(f.cost.total), 4),
                initIfEveryInvocationColdPerMillionUsd: round(perMillion(initIfAllCold(f, assumptions)), 4),
              },
            ]),
          ),
        },
        null,
        2,
      ),
    );
    return;
  }
  console.log(
    `bench:cost ${String(report.meta.date)}, commit ${String(report.meta.commit)}, load ${String(report.meta.loadAverage)}`,
  );
  console.log(
    `prices: ${String(report.meta.pricesRegion)} on-demand, read ${String(report.meta.pricesReadOn)} (bench/cost-prices.ts)`,
  );
  console.log(
    `init billed per cold start: ${assumptions.initSource}; cold-start share ${(assumptions.coldStartShare * 100).toFixed(2)} % of invocations; gateway secret read per cold start by ${[...assumptions.readsSecretOnColdStart].join(', ')}`,
  );
  for (const f of flows) console.log(`${f.label} (${f.status}): ${f.states.join(' -> ')}`);
  console.log('');
  console.log(`| per flow | ${flows.map((f) => f.label).join(' | ')} |`);
  console.log(`|---|${flows.map(() => '---:').join('|')}|`);
  const row = (label: string, pick: (f: Flow) => string | number) =>
    console.log(`| ${label} | ${flows.map((f) => pick(f)).join(' | ')} |`);
  row('state transitions', (f) => f.usage.stateTransitions);
  row(
    'Lambda invocations',
    (f) => `${f.cost.lambdaRequests} (${listed(f.usage.lambda as Record<FunctionKey, number>)})`,
  );
  row('Lambda GB-s (assumed durations)', (f) => f.cost.gbSeconds.toFixed(3));
  row(
    'expected cold starts / init GB-s',
    (f) => `${round(f.cost.coldStarts, 4)} / ${round(f.cost.initGbSeconds, 5)}`,
  );
  row('DynamoDB requests (edge)', (f) => listed(f.dynamo.requests));
  row('DynamoDB refused conditional writes', (f) => f.dynamo.refusedWrites);
  row(
    'DynamoDB WRU tables / WRU indexes / RRU',
    (f) => `${f.dynamo.writeUnits} / ${f.dynamo.indexWriteUnits} / ${f.dynamo.readUnits}`,
  );
  row('index WRU by index', (f) => listed(f.dynamo.indexWrites));
  row('requests priced without a capacity figure', (f) => f.dynamo.estimated);
  row('SQS requests', (f) => f.usage.sqsRequests);
  row('EventBridge events', (f) => f.usage.eventBridgeEvents);
  row('S3 PUT/LIST / GET/HEAD', (f) => `${f.usage.s3PutRequests} / ${f.usage.s3GetRequests}`);
  row('KMS requests (handlers)', (f) => f.usage.kmsRequests);
  row('Secrets Manager reads (expected)', (f) => round(f.cost.secretReads, 4));
  console.log('');
  console.log(`| per million (USD) | ${flows.map((f) => f.label).join(' | ')} |`);
  console.log(`|---|${flows.map(() => '---:').join('|')}|`);
  for (const line of COST_LINES) row(line, (f) => usd(f.cost.lines[line]));
  row('**total**', (f) => `**${usd(f.cost.total)}**`);
  row('(bound, not in the total) init if every invocation is a cold start', (f) =>
    usd(initIfAllCold(f, assumptions)),
  );
}
