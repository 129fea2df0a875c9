import { vi } from 'vitest';
import { createClients, createContext, type GlobalOptions } from '../../cli/context';
import { runCli } from '../../cli/main';
import { createOutput } from '../../cli/output';

export interface PayctlRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  json<T>(): T;
}

/**
 * Runs payctl in-process against a runtime's endpoint, with its output
 * captured: what goes through `Output`, and what is written straight to the
 * process streams (runCli's errors, commander's usage, streamed reports).
 */
export async function runPayctl(
  runtime: { endpoint: string; region: string },
  ...argv: string[]
): Promise<PayctlRun> {
  let stdout = '';
  let stderr = '';
  const contextFor = (options: GlobalOptions) =>
    createContext(options, {
      clients: createClients({ endpoint: runtime.endpoint, region: runtime.region }),
      out: createOutput({
        json: Boolean(options.json),
        stdout: (text) => {
          stdout += text;
        },
        stderr: (text) => {
          stderr += text;
        },
        interactive: false,
      }),
    });
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await runCli(
      ['--endpoint', runtime.endpoint, '--region', runtime.region, ...argv],
      contextFor,
    );
    return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
