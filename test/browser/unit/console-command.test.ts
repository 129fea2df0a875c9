import { describe, expect, it } from 'vitest';
import { buildProgram, runCli } from '../../../cli/main';

describe('payctl console (command)', () => {
  it('is registered with its options and says what it serves', () => {
    // Prepare
    const program = buildProgram();
    // Act
    const command = program.commands.find((c) => c.name() === 'console');
    // Assess
    expect(command?.description()).toContain('127.0.0.1');
    expect(command?.options.map((o) => o.long)).toEqual(['--port', '--allow-actions', '--rebuild']);
    expect(command?.options.find((o) => o.long === '--port')?.defaultValue).toBe('4570');
  });

  it('refuses a port that is not a number with a usage error (exit 2) before starting anything', async () => {
    // Prepare
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      stderr.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    // Act
    let code: number;
    try {
      code = await runCli(['--endpoint', 'http://127.0.0.1:9', 'console', '--port', 'web']);
    } finally {
      process.stderr.write = write;
    }
    // Assess
    expect(code).toBe(2);
    expect(stderr.join('')).toContain('--port must be a whole number');
  });
});
