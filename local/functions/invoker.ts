import { FUNCTIONS, type FunctionKey, type ResourceNames } from '../../core/config/names';
import { LOCAL_ACCOUNT_ID } from '../edge/request-context';
import { lambdaContext } from '../lambda/context';
import { importHandler, type LambdaHandler } from './registry';

/**
 * A fault the chaos run injects into one invocation (off unless a hook is
 * given): `before` throws without running the handler (the process died before
 * its side effect); `after` runs the handler to the end and then throws, so
 * the side effect happened but its result is lost (died just after it).
 */
export interface InjectedFault {
  readonly at: 'before' | 'after';
  readonly error: Error;
  /** Runs after the handler, before `error` is thrown (e.g. leave its idempotency record in progress). */
  readonly afterHandler?: (event: unknown) => Promise<void>;
}

/** Decides, per invocation, whether to inject a fault (local/chaos/hooks.ts builds one from a seed). */
export type InvocationFaultHook = (key: FunctionKey, event: unknown) => InjectedFault | undefined;

/** Lambda's error when a handler runs past its timeout. */
export class FunctionTimeoutError extends Error {
  override readonly name = 'Sandbox.Timedout';
}

export interface FunctionInvokerOptions {
  readonly names: ResourceNames;
  readonly region: string;
  /** Invocations running at once across all functions (Lambda's account concurrency, locally). */
  readonly concurrency?: number;
  /** Replaces a function's handler (tests: a failing or slow step). */
  readonly overrides?: Partial<Record<FunctionKey, LambdaHandler>>;
  /** Replaces functions' timeouts from names.ts (tests of the timeout itself). */
  readonly timeoutSeconds?: Partial<Record<FunctionKey, number>>;
  /** Fault injection (the chaos run); never set by `npm start`. */
  readonly faults?: InvocationFaultHook;
}

/**
 * Runs paysaga's handlers in-process as Lambda would: one module load per
 * function, a Lambda-like context (request id, remaining time), the
 * function's timeout from names.ts, and a concurrency limit (callers beyond
 * it wait for a slot instead of being throttled). The result goes through
 * JSON like a Lambda response. A timed-out handler cannot be killed
 * in-process; it is abandoned and its result ignored.
 */
export class FunctionInvoker {
  private readonly handlers = new Map<FunctionKey, Promise<LambdaHandler>>();
  private readonly waiting: Array<() => void> = [];
  private active = 0;
  private readonly concurrency: number;

  constructor(private readonly options: FunctionInvokerOptions) {
    this.concurrency = options.concurrency ?? 8;
  }

  async invoke(key: FunctionKey, event: unknown): Promise<unknown> {
    const handler = await this.handlerOf(key);
    await this.acquire();
    try {
      const spec = FUNCTIONS[key];
      const timeoutSeconds = this.options.timeoutSeconds?.[key] ?? spec.timeoutSeconds;
      const context = lambdaContext({
        functionName: this.options.names.functions[key],
        timeoutSeconds,
        memoryMb: spec.memoryMb,
        region: this.options.region,
        accountId: LOCAL_ACCOUNT_ID,
      });
      // Before the timeout's timer exists: a fault thrown here must not leave a timer behind to reject unheard.
      const fault = this.options.faults?.(key, event);
      if (fault?.at === 'before') throw fault.error;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new FunctionTimeoutError(`Task timed out after ${timeoutSeconds.toFixed(2)} seconds`)),
          timeoutSeconds * 1000,
        );
      });
      try {
        const result = await Promise.race([handler(structuredClone(event), context), timeout]);
        if (fault?.at === 'after') {
          await fault.afterHandler?.(event);
          throw fault.error;
        }
        return result === undefined ? null : JSON.parse(JSON.stringify(result));
      } finally {
        clearTimeout(timer);
      }
    } finally {
      this.release();
    }
  }

  private handlerOf(key: FunctionKey): Promise<LambdaHandler> {
    let handler = this.handlers.get(key);
    if (!handler) {
      const override = this.options.overrides?.[key];
      handler = override ? Promise.resolve(override) : importHandler(key);
      // A failed import is retried on the next invoke (the file may be fixed meanwhile).
      handler.catch(() => this.handlers.delete(key));
      this.handlers.set(key, handler);
    }
    return handler;
  }

  private async acquire(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}
