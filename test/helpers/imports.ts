import { resourceNames } from '../../core/config/names';
import type { LambdaHandler } from '../../local/functions/registry';

/**
 * Payment saga steps that end each saga at once, for tests of what starts sagas (the CSV import)
 * rather than of the sagas: Reserve refuses with a final error, RecordFailure builds a harmless
 * event, the history archiver does nothing. Hundreds of full sagas take minutes on a loaded machine.
 */
export function shortSagaOverrides(): Record<'reserve' | 'recordOutcome' | 'archiveHistory', LambdaHandler> {
  const refused = Object.assign(new Error('stubbed by shortSagaOverrides'), {
    name: 'InsufficientFundsError',
  });
  return {
    reserve: async () => {
      throw refused;
    },
    recordOutcome: async () => ({
      entries: [
        {
          EventBusName: resourceNames('local').eventBus,
          Source: 'test.short-saga',
          DetailType: 'ShortSagaEnded',
          Detail: '{}',
        },
      ],
    }),
    archiveHistory: async () => ({ archived: false, reason: 'stubbed' }),
  };
}

/** One CSV row of the import format (IMPORT_HEADER's columns), EUR, by card. */
export function importRow(
  paymentId: string,
  walletId: string,
  amountMinor: string,
  options: { method?: string; description?: string; requestedAt?: string } = {},
): string {
  return [
    paymentId,
    walletId,
    'mer_payroll',
    amountMinor,
    'EUR',
    options.method ?? 'pm_card_visa',
    '',
    options.description ?? 'payroll',
    options.requestedAt ?? new Date().toISOString(),
  ].join(',');
}
