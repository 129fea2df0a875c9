import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * dynalite's requests from arrival until dynalite answers them. The answer (its `res.end`) is the end,
 * not the socket's close: a client that gives up or is destroyed closes the socket while dynalite is
 * still between the reads and the write of a conditional write, and closing LevelDB then makes that
 * write throw "Database is closed" (dynalite/index.js:408), which takes the process down.
 */
export interface InFlightRequests {
  /** Counts one request until dynalite answers it (or until it closes with its body never received). */
  track(request: IncomingMessage, response: ServerResponse): void;
  /** Counts one request handed over in this process (no socket) until `finish` is called with its answer. */
  begin(): () => void;
  readonly count: number;
  /** Resolves once no request is in flight (true), or after `timeoutMs` with some still in flight (false). */
  drain(timeoutMs: number): Promise<boolean>;
}

export function inFlightRequests(): InFlightRequests {
  let count = 0;
  const waiting = new Set<() => void>();
  const begin = () => {
    count += 1;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      count -= 1;
      if (count === 0) for (const wake of [...waiting]) wake();
    };
  };
  return {
    begin,
    track(request, response) {
      const finish = begin();
      const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
      response.end = ((...args: unknown[]) => {
        finish();
        return end(...args);
      }) as ServerResponse['end'];
      // A request whose body never fully arrived is never acted on, so never answered.
      request.once('close', () => {
        if (!request.complete) finish();
      });
    },
    get count() {
      return count;
    },
    drain(timeoutMs) {
      if (count === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => wake(false), timeoutMs);
        function wake(drained = true): void {
          clearTimeout(timer);
          waiting.delete(wake);
          resolve(drained);
        }
        waiting.add(wake);
      });
    },
  };
}
