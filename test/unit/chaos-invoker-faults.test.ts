import { afterEach, describe, expect, it } from 'vitest';
import { resourceNames } from '../../core/config/names';
import { FunctionInvoker } from '../../local/functions/invoker';

class InjectedTestCrashError extends Error {
  override readonly name = 'Lambda.ServiceException';
}

const unheard: unknown[] = [];
const recordUnheard = (reason: unknown) => unheard.push(reason);

afterEach(() => {
  process.off('unhandledRejection', recordUnheard);
  unheard.length = 0;
});

function invokerWith(fault: 'before' | 'after', ran: string[]) {
  return new FunctionInvoker({
    names: resourceNames('chaos-unit'),
    region: 'us-east-1',
    timeoutSeconds: { reserve: 0.05 },
    overrides: {
      reserve: async (event) => {
        ran.push(String((event as { id: string }).id));
        return { ok: true };
      },
    },
    faults: (key) =>
      key === 'reserve' ? { at: fault, error: new InjectedTestCrashError(`crash ${fault}`) } : undefined,
  });
}

describe('FunctionInvoker fault hook', () => {
  it('a crash before the side effect throws without running the handler and leaves no timeout to fire', async () => {
    // Prepare
    process.on('unhandledRejection', recordUnheard);
    const ran: string[] = [];
    const invoker = invokerWith('before', ran);

    // Act
    const invoked = invoker.invoke('reserve', { id: 'pay-before-1' });
    await expect(invoked).rejects.toThrow('crash before');
    // Past the function's timeout: a timer left behind would reject now, unheard, and kill the runtime.
    await new Promise((resolve) => setTimeout(resolve, 150));

    // Assess
    expect(ran).toEqual([]);
    expect(unheard).toEqual([]);
  });

  it('a crash after the side effect runs the handler and loses its result', async () => {
    // Prepare
    const ran: string[] = [];
    const invoker = invokerWith('after', ran);

    // Act
    const invoked = invoker.invoke('reserve', { id: 'pay-after-1' });

    // Assess
    await expect(invoked).rejects.toMatchObject({ name: 'Lambda.ServiceException' });
    expect(ran).toEqual(['pay-after-1']);
  });
});
