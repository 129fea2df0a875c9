import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { Runtime } from '../../local/runtime';

const run = promisify(execFile);

/**
 * Debian's AWS clients (package awscli 2.9.x, python3-boto3 1.26.x), by path:
 * a pip or pyenv `aws` earlier on PATH would be a newer client that speaks
 * SQS's JSON protocol, not the query protocol these older ones speak.
 */
export const DEBIAN_AWS_CLI = '/usr/bin/aws';
export const DEBIAN_PYTHON = '/usr/bin/python3';
const INSTALL_HINT =
  'install them with `apt-get update && apt-get install -y --no-install-recommends awscli python3-boto3` (.ci/run does)';

/** Fails, saying how to install them, unless Debian's aws CLI and boto3 are installed. */
export async function requireDebianAwsClients(): Promise<void> {
  if (!existsSync(DEBIAN_AWS_CLI))
    throw new Error(`Debian's AWS CLI is not installed (${DEBIAN_AWS_CLI} is missing): ${INSTALL_HINT}`);
  await run(DEBIAN_PYTHON, ['-c', 'import awscli.clidriver, boto3']).catch((error: unknown) => {
    throw new Error(`Debian's awscli or python3-boto3 is not installed (${String(error)}): ${INSTALL_HINT}`);
  });
}

type ClientRuntime = Pick<Runtime, 'endpoint' | 'region' | 'env'>;

/**
 * What `npm start` tells a client: the endpoint, the credentials it prints, a region.
 * No config or credentials file of the machine's user is read.
 */
export function awsClientEnv(runtime: ClientRuntime): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ENDPOINT_URL: runtime.endpoint,
    AWS_ACCESS_KEY_ID: runtime.env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: runtime.env.AWS_SECRET_ACCESS_KEY,
    AWS_DEFAULT_REGION: runtime.region,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
}

/**
 * The arguments of an `aws` command against the runtime, answering JSON. The CLI before 2.13
 * ignores AWS_ENDPOINT_URL, so the endpoint is also passed as `--endpoint-url`.
 */
export function awsCliArgs(runtime: ClientRuntime, args: readonly string[]): string[] {
  return ['--endpoint-url', runtime.endpoint, '--output', 'json', ...args];
}

/** Runs `/usr/bin/aws` itself once (a process of its own) and returns its parsed JSON answer. */
export async function awsCliProcess<T>(runtime: ClientRuntime, ...args: string[]): Promise<T> {
  const { stdout } = await run(DEBIAN_AWS_CLI, awsCliArgs(runtime, args), {
    env: awsClientEnv(runtime),
    timeout: 60_000,
  });
  return JSON.parse(stdout) as T;
}

export interface AwsCliSession {
  /** `aws <args> --output json` against the runtime; its parsed answer, or an error with the CLI's stderr. */
  run<T = Record<string, unknown>>(...args: string[]): Promise<T>;
  close(): Promise<void>;
}

/**
 * Debian's AWS CLI in one long-lived Python process (test/helpers/aws-cli-session.py): each
 * command gets a fresh CLI driver, as a new `aws` process would, without paying Python's start
 * and the CLI's imports (about a second of CPU each) per command. Commands run one at a time.
 */
export function startAwsCliSession(runtime: ClientRuntime): AwsCliSession {
  const child = spawn(DEBIAN_PYTHON, [join(__dirname, 'aws-cli-session.py')], {
    env: awsClientEnv(runtime),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting: Array<{ resolve: (line: string) => void; reject: (error: Error) => void }> = [];
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.resolve(line));
  child.on('exit', (code) => {
    for (const pending of waiting.splice(0))
      pending.reject(new Error(`the aws CLI session ended (exit ${code})`));
  });
  return {
    async run<T>(...args: string[]): Promise<T> {
      const line = await new Promise<string>((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin.write(`${JSON.stringify(awsCliArgs(runtime, args))}\n`);
      });
      const answer = JSON.parse(line) as { rc: number; stdout: string; stderr: string };
      if (answer.rc !== 0) throw new Error(`aws ${args.join(' ')} exited ${answer.rc}: ${answer.stderr}`);
      return (answer.stdout.trim() === '' ? {} : JSON.parse(answer.stdout)) as T;
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      await exited;
    },
  };
}
