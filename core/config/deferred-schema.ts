/**
 * A zod schema built on first use (issue 18 goal 1, init). The schema modules (events/, the saga states,
 * records, contracts) define many schemas at top level that a given function never parses: every event
 * contract, every saga's state, every record shape. Building them all was a large part of each cold start.
 *
 * `deferred(() => z.object(...))` has the schema's own type and answers exactly as it does: every access
 * (a parse, a composition such as z.extend or `.shape`, JSON Schema generation) goes to the schema, built
 * once by `build` the first time anything reads it. Validation is the schema's own: nothing is loosened.
 */
const built = new WeakMap<object, () => boolean>();

export function deferred<T extends object>(build: () => T): T {
  let schema: T | undefined;
  const real = (): T => {
    schema ??= build();
    return schema;
  };
  const proxy = new Proxy(Object.create(null) as T, {
    get: (_, key) => Reflect.get(real(), key),
    has: (_, key) => Reflect.has(real(), key),
    set: (_, key, value) => Reflect.set(real(), key, value),
    defineProperty: (_, key, descriptor) => Reflect.defineProperty(real(), key, descriptor),
    deleteProperty: (_, key) => Reflect.deleteProperty(real(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
      // A proxy may not report a property of its (empty) target as non-configurable.
      return descriptor && { ...descriptor, configurable: true };
    },
  });
  built.set(proxy, () => schema !== undefined);
  return proxy;
}

/** For the tests: whether `value` is a deferred schema, and whether it was built yet (without building it). */
export function deferredState(value: unknown): 'not deferred' | 'built' | 'not built' {
  const isBuilt = typeof value === 'object' && value !== null ? built.get(value) : undefined;
  if (!isBuilt) return 'not deferred';
  return isBuilt() ? 'built' : 'not built';
}
