import { GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import type { LedgerReader } from '../ledger/reader';
import type { PaymentsRepository } from '../payments/repository';
import { buildTimeline } from './build';
import type { SagaTimeline } from './timeline';

export type StepFunctionsClient = Pick<SFNClient, 'send'>;

const isMissingExecution = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ExecutionDoesNotExist';

/**
 * Every history event of an execution, page by page (with execution data: the
 * timeline reads step outputs), or undefined when Step Functions no longer has
 * the execution (past its 90-day retention, or never started).
 */
export async function readExecutionHistory(
  sfn: StepFunctionsClient,
  executionArn: string,
): Promise<HistoryEvent[] | undefined> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await sfn.send(
        new GetExecutionHistoryCommand({
          executionArn,
          maxResults: 1000,
          includeExecutionData: true,
          nextToken,
        }),
      );
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    if (isMissingExecution(error)) return undefined;
    throw error;
  }
  return events;
}

export interface TimelineDeps {
  readonly sfn: StepFunctionsClient;
  readonly payments: Pick<PaymentsRepository, 'get'>;
  readonly ledger: Pick<LedgerReader, 'listPaymentEntries'>;
}

/** The timeline of a payment's saga from the live execution history; undefined when the execution is gone. */
export async function timelineOfExecution(
  deps: TimelineDeps,
  executionArn: string,
  paymentId: string,
): Promise<SagaTimeline | undefined> {
  const [events, payment, journal] = await Promise.all([
    readExecutionHistory(deps.sfn, executionArn),
    deps.payments.get(paymentId),
    deps.ledger.listPaymentEntries(paymentId),
  ]);
  if (!events) return undefined;
  return buildTimeline({ executionArn, events, ...(payment && { payment }), journal });
}
