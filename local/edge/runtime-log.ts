/** Where the local runtime reports: one JSON object per line, never secrets or card data. */
export interface RuntimeLog {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, error?: unknown, fields?: Record<string, unknown>): void;
}

function describeError(error: unknown): Record<string, unknown> | undefined {
  if (error === undefined) return undefined;
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { message: String(error) };
}

export function jsonLineLog(
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): RuntimeLog {
  const emit = (level: string, message: string, fields?: Record<string, unknown>) =>
    write(
      JSON.stringify({ time: new Date().toISOString(), level, service: 'paysaga-local', message, ...fields }),
    );
  return {
    info: (message, fields) => emit('INFO', message, fields),
    error: (message, error, fields) => emit('ERROR', message, { ...fields, error: describeError(error) }),
  };
}

/** A log that keeps lines in memory (tests). */
export function memoryLog(): RuntimeLog & { readonly lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = jsonLineLog((line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  return { ...log, lines };
}
