import type { CliContext } from '../context';
import { CliError, EXIT, UsageError } from '../errors';
import type { RegisterCommands } from '../registry';
import { type ImportReport, importFile } from './import-file';

/** At most this many rejected rows are listed for people (all of them with --json, and in the result file). */
const PROBLEMS_SHOWN = 20;

function printReport(ctx: CliContext, report: ImportReport): void {
  ctx.out.line(`Uploaded  s3://${report.bucket}/${report.objectKey}`);
  ctx.out.line(`Result    s3://${report.bucket}/${report.resultKey}`);
  ctx.out.line();
  if (report.malformed !== undefined) {
    ctx.out.line(`Refused: ${report.malformed}`);
    return;
  }
  ctx.out.table(
    [
      { outcome: 'accepted', rows: report.accepted, meaning: 'published: its saga starts' },
      {
        outcome: 'duplicate',
        rows: report.duplicate,
        meaning: 'requested before (or earlier in the file): nothing started',
      },
      { outcome: 'rejected', rows: report.rejected, meaning: 'not published: see the reason' },
      { outcome: 'total', rows: report.rows, meaning: '' },
    ],
    [
      { header: 'OUTCOME', value: (r) => r.outcome },
      { header: 'ROWS', value: (r) => r.rows, align: 'right' },
      { header: '', value: (r) => r.meaning },
    ],
  );
  if (report.problems.length === 0) return;
  ctx.out.line();
  ctx.out.table(report.problems.slice(0, PROBLEMS_SHOWN), [
    { header: 'ROW', value: (p) => p.row, align: 'right' },
    { header: 'PAYMENT', value: (p) => p.paymentId },
    { header: 'REASON', value: (p) => p.reason },
  ]);
  if (report.problems.length > PROBLEMS_SHOWN) {
    ctx.out.line(`... and ${report.problems.length - PROBLEMS_SHOWN} more in the result file`);
  }
}

export const registerImportCommands: RegisterCommands = (program, context) => {
  program
    .command('import <file>')
    .description(
      'CSV batch import: upload a file of payment requests under incoming/<source>/, wait for its result, print the counts',
    )
    .requiredOption(
      '--source <source>',
      "the producer's source (its incoming/<source>/ prefix; the rows' EventBridge source)",
    )
    .option('--name <name>', 'object name under incoming/<source>/ (default: the file name)')
    .option('--timeout <seconds>', 'how long to wait for the result file', '600')
    .action(async (file: string, options: { source: string; name?: string; timeout: string }) => {
      const ctx = context();
      const timeoutSeconds = Number(options.timeout);
      if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1) {
        throw new UsageError(`--timeout ${options.timeout}: a whole number of seconds, at least 1`);
      }
      const report = await importFile(ctx, file, {
        source: options.source,
        ...(options.name !== undefined && { name: options.name }),
        timeoutSeconds,
      });
      ctx.out.result(report, () => printReport(ctx, report));
      if (report.malformed !== undefined) {
        throw new CliError(
          `nothing was imported: fix the file (${report.malformed.split(':')[0]}) and upload it again`,
        );
      }
      if (report.rejected > 0) {
        throw new CliError(
          `${report.rejected} row(s) rejected (reasons in the result file): fix them and import a file of those rows; the other rows are imported`,
          EXIT.partial,
        );
      }
    });
};
