import { afterEach, describe, expect, it } from 'vitest';
import { openBenchTable } from '../../bench/dynalite';
import { measureLevel } from '../../bench/measure';

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Issue 18: `npm run bench -- --only dynalite` died with "Database is closed" (dynalite/index.js:408)
 * when the store closed under a request still being applied. A request counts as in flight until
 * dynalite answers it, not until its socket closes: a destroyed client closes its sockets at once while
 * dynalite is still between the reads and the write of a conditional put.
 */
describe('Bench: the dynalite store closed with requests in flight', () => {
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);

  afterEach(() => {
    process.off('uncaughtException', onUncaught);
  });

  it('waits for dynalite to answer every request it received before closing the store', async () => {
    // Prepare: the bench's store (dynalite reached through the SDK, as `--only dynalite` runs it).
    process.on('uncaughtException', onUncaught);
    const table = await openBenchTable('memory');

    // Act: 300 conditional puts in flight; once a few are applied the store is closed, as a failed
    // run's finally did: the client's sockets close while dynalite is still applying their writes.
    let applied = 0;
    let firstApplied: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      firstApplied = resolve;
    });
    const writes = Array.from({ length: 300 }, (_, i) =>
      table
        .write({
          put: {
            TableName: table.tableName,
            Item: { pk: `item-${i}`, sk: 'OP#reserve' },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        })
        .then(
          () => {
            applied += 1;
            if (applied === 5) firstApplied();
          },
          () => undefined,
        ),
    );
    await started;
    await table.close();
    await Promise.all(writes);
    await settle(300);

    // Assess: nothing escaped from dynalite after the store closed.
    expect(uncaught.map(String)).toEqual([]);
  });
});

describe('Bench: measureLevel', () => {
  it('waits for every run it started before it reports a failed run', async () => {
    // Prepare: worker 0 fails its second run while the other workers' runs are still going.
    let running = 0;
    let runningAtReject = -1;
    const work = async (worker: number) => {
      running += 1;
      try {
        await settle(worker === 0 ? 5 : 40);
        if (worker === 0) throw new Error('run failed');
      } finally {
        running -= 1;
      }
    };

    // Act
    const outcome = await measureLevel(4, 40, work).then(
      () => 'resolved',
      (error: Error) => {
        runningAtReject = running;
        return error.message;
      },
    );

    // Assess: the failure is reported, and only once nothing the level started is still running
    // (the dynalite bench closes its store right after).
    expect(outcome).toBe('run failed');
    expect(runningAtReject).toBe(0);
  });
});
