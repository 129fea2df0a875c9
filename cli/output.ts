/**
 * Output for people (aligned tables, progress on stderr) and for scripts
 * (`--json`: one JSON document on stdout, nothing else there).
 */

export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string | number | undefined;
  readonly align?: 'left' | 'right';
}

export interface Output {
  readonly json: boolean;
  /** A table for people, or the rows as a JSON array with --json. */
  table<T>(rows: readonly T[], columns: readonly Column<T>[], jsonRows?: readonly unknown[]): void;
  /** A document for scripts; for people, `human` renders it. */
  result(value: unknown, human?: () => void): void;
  line(text?: string): void;
  /** Progress and notices go to stderr so stdout stays parseable. */
  note(text: string): void;
  progress(label: string, total: number): Progress;
}

export interface Progress {
  tick(done: number, detail?: string): void;
  done(detail?: string): void;
}

export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((c) => String(c.value(row) ?? '')));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => (r[i] ?? '').length)));
  const pad = (text: string, i: number) =>
    columns[i]?.align === 'right' ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0);
  const lines = [
    columns.map((c, i) => pad(c.header, i)).join('  '),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map((r) => r.map((cell, i) => pad(cell, i)).join('  ')),
  ];
  return lines.map((l) => l.trimEnd()).join('\n');
}

export function createOutput(options: {
  json: boolean;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  interactive?: boolean;
}): Output {
  const stdout = options.stdout ?? ((text: string) => process.stdout.write(text));
  const stderr = options.stderr ?? ((text: string) => process.stderr.write(text));
  const interactive = options.interactive ?? Boolean(process.stderr.isTTY);
  return {
    json: options.json,
    table(rows, columns, jsonRows) {
      if (options.json) stdout(`${JSON.stringify(jsonRows ?? rows, null, 2)}\n`);
      else stdout(`${rows.length === 0 ? '(none)' : renderTable(rows, columns)}\n`);
    },
    result(value, human) {
      if (options.json || !human) stdout(`${JSON.stringify(value, null, 2)}\n`);
      else human();
    },
    line(text = '') {
      if (!options.json) stdout(`${text}\n`);
    },
    note(text) {
      stderr(`${text}\n`);
    },
    progress(label, total) {
      let last = '';
      const render = (done: number, detail?: string) => {
        const width = 30;
        const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : width;
        const text = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${detail ? ` ${detail}` : ''}`;
        if (interactive) stderr(`\r${text}`);
        else if (text !== last) stderr(`${text}\n`);
        last = text;
      };
      return {
        tick: render,
        done(detail) {
          render(total, detail);
          if (interactive) stderr('\n');
        },
      };
    },
  };
}
