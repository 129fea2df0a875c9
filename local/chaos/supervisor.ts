import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ChaosRates, InjectedKind } from './schedule';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const START_TIMEOUT_MS = 60_000;

export class RuntimeChildError extends Error {
  override readonly name = 'RuntimeChildError';
}

/** The supervisors whose runtime is up or starting: what an interrupted run stops (stopAllRuntimes). */
const live = new Set<RuntimeSupervisor>();

/** Stops every runtime this process started (an interrupted run: SIGINT / SIGTERM), so its data dir can go. */
export async function stopAllRuntimes(): Promise<void> {
  await Promise.allSettled([...live].map((supervisor) => supervisor.stop()));
}

export interface SupervisorOptions {
  readonly dataDir: string;
  readonly seed: number;
  readonly rates: ChaosRates;
  readonly retryScale: number;
  /** Runtime error lines (not saga outcomes), for the report's diagnostics. */
  readonly onRuntimeError?: (line: Record<string, unknown>) => void;
  readonly onUnexpectedExit?: (code: number | null, signal: string | null, stderr: string) => void;
}

/**
 * Runs the runtime (local/chaos/child.ts) as a child process on one port and
 * data dir, kills it with SIGKILL and restarts it there, and counts what its
 * stdout reports: saga outcomes and the faults its hooks injected.
 */
export class RuntimeSupervisor {
  private child: ChildProcess | undefined;
  private port = 0;
  private up: Promise<void> | undefined;
  endpoint = '';
  sandboxUrl = '';
  kills = 0;
  restarts = 0;
  /** Saga outcome lines seen (a saga redriven, or ended again after a kill, counts again). */
  outcomes = 0;
  readonly injected: Partial<Record<InjectedKind, number>> = {};
  /** Which faults hit each payment (from the runtime's fault lines). */
  readonly faultsByPayment = new Map<string, Set<InjectedKind>>();
  readonly errors: Array<Record<string, unknown>> = [];
  /** Exits nobody asked for (the runtime crashed), with the end of its stderr; each is restarted. */
  readonly unexpectedExits: Array<{
    readonly code: number | null;
    readonly signal: string | null;
    readonly stderr: string;
  }> = [];
  private expectingExit = false;
  /** Set by stop(): a runtime that exits afterwards (a Ctrl-C reaches it too) is not restarted. */
  private stopped = false;

  constructor(private readonly options: SupervisorOptions) {}

  /** Starts the runtime and waits for its banner. */
  start(): Promise<void> {
    live.add(this);
    this.up = this.spawnChild();
    return this.up;
  }

  /** Resolves when the runtime is up (immediately unless it is being restarted). */
  whenUp(): Promise<void> {
    return this.up ?? Promise.reject(new RuntimeChildError('the runtime was never started'));
  }

  /** SIGKILL, then a restart on the same port and data dir. */
  async killAndRestart(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) throw new RuntimeChildError('no runtime to kill');
    let restarted: () => void = () => undefined;
    let failed: (error: unknown) => void = () => undefined;
    this.up = new Promise<void>((resolve, reject) => {
      restarted = resolve;
      failed = reject;
    });
    this.up.catch(() => undefined);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    this.expectingExit = true;
    child.kill('SIGKILL');
    this.kills++;
    await exited;
    try {
      await this.spawnChild();
      this.restarts++;
      restarted();
    } catch (error) {
      failed(error);
      throw error;
    }
  }

  /** SIGTERM and wait (the runtime stops cleanly); SIGKILL after 20 s. */
  async stop(): Promise<void> {
    this.stopped = true;
    live.delete(this);
    await this.up?.catch(() => undefined); // a restart under way: stop what it started
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    this.expectingExit = true;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }

  private async spawnChild(): Promise<void> {
    const { options } = this;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'local/chaos/child.ts',
        '--port',
        String(this.port),
        '--data-dir',
        options.dataDir,
        '--seed',
        String(options.seed),
        '--rates',
        JSON.stringify(options.rates),
        '--retry-scale',
        String(options.retryScale),
      ],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } },
    );
    this.child = child;
    this.expectingExit = false;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    let ready = false;
    child.once('exit', (code, signal) => {
      if (this.expectingExit || this.stopped || !ready) return;
      // The runtime died by itself: a finding. Restart it, as a process manager would, and go on.
      this.unexpectedExits.push({ code, signal, stderr });
      options.onUnexpectedExit?.(code, signal, stderr);
      this.up = this.spawnChild().then(() => {
        this.restarts++;
      });
      this.up.catch(() => undefined);
    });
    const banner = new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new RuntimeChildError(`the runtime did not start in ${START_TIMEOUT_MS} ms: ${stderr}`)),
        START_TIMEOUT_MS,
      );
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new RuntimeChildError(`the runtime exited (${code ?? signal}) before its banner: ${stderr}`));
      });
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
        const line = parseLine(text);
        if (!line) return;
        if (line.event === 'started') {
          clearTimeout(timer);
          resolve(line);
        } else if (line.event === 'fault') {
          const kind = line.kind as InjectedKind;
          this.injected[kind] = (this.injected[kind] ?? 0) + 1;
          if (typeof line.paymentId === 'string') {
            const kinds = this.faultsByPayment.get(line.paymentId) ?? new Set<InjectedKind>();
            this.faultsByPayment.set(line.paymentId, kinds.add(kind));
          }
        } else if (line.message === 'saga outcome') {
          this.outcomes++;
        } else if (line.level === 'ERROR') {
          this.errors.push(line);
          if (this.errors.length > 200) this.errors.shift();
          options.onRuntimeError?.(line);
        }
      });
    });
    const started = await banner;
    ready = true;
    this.endpoint = String(started.endpoint);
    this.sandboxUrl = String(started.sandbox);
    this.port = Number(new URL(this.endpoint).port);
  }
}

function parseLine(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
