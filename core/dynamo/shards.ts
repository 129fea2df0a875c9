import { createHash } from 'node:crypto';

/**
 * Spreading a hot index key over several partition keys, and reading them back
 * in order. Writers put an item on shard `shardOf(its id, count)`; readers query
 * every shard and merge the sorted pages.
 */

/** A stable shard number in [0, count) for a key. */
export function shardOf(key: string, count: number): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) % count;
}

/** Merges sorted async streams into one sorted stream, holding one item of each. */
export async function* mergeByKey<T>(
  streams: AsyncIterator<T>[],
  keyOf: (item: T) => string,
): AsyncGenerator<T> {
  const heads = await Promise.all(streams.map((stream) => stream.next()));
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i];
      if (!head || head.done) continue;
      const current = heads[best];
      if (best < 0 || (current && !current.done && keyOf(head.value) < keyOf(current.value))) best = i;
    }
    const chosen = heads[best];
    if (best < 0 || !chosen || chosen.done) return;
    yield chosen.value;
    heads[best] = await (streams[best] as AsyncIterator<T>).next();
  }
}
