/**
 * Captures everything this process writes — process.stdout/stderr (Powertools'
 * Logger writes there through its own Console) and console.* (vitest
 * intercepts those before they reach the streams) — so a test can scan every
 * log line, and keeps it off the test output.
 */
export interface CapturedOutput {
  readonly lines: string[];
  /** Puts the original writers back; idempotent. */
  restore(): void;
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

export function captureOutput(): CapturedOutput {
  const lines: string[] = [];
  const keep = (chunk: unknown) => {
    const text =
      typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
    for (const line of text.split('\n')) if (line !== '') lines.push(line);
  };
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  const consoleOriginals = CONSOLE_METHODS.map((name) => [name, console[name]] as const);
  const capture = ((chunk: unknown, ...rest: unknown[]) => {
    keep(chunk);
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  for (const name of CONSOLE_METHODS)
    console[name] = (...args: unknown[]) => keep(args.map(String).join(' '));
  let restored = false;
  return {
    lines,
    restore() {
      if (restored) return;
      restored = true;
      process.stdout.write = stdoutWrite;
      process.stderr.write = stderrWrite;
      for (const [name, original] of consoleOriginals) console[name] = original;
    },
  };
}
