/**
 * "Read it once per container": the runtime, each timer's configuration, the inbound clients. The first
 * call runs `load`; every later call gets the same value, or the same error thrown again, so a malformed
 * variable fails each invocation the same way without being parsed again.
 */

type Loaded<T> = { readonly value: T } | { readonly error: unknown };

function run<T>(load: () => T): Loaded<T> {
  try {
    return { value: load() };
  } catch (error) {
    return { error };
  }
}

function unwrap<T>(loaded: Loaded<T>): T {
  if ('error' in loaded) throw loaded.error;
  return loaded.value;
}

/** `load` on the first call (with that call's arguments); its value or its error ever after. */
export function once<A extends unknown[], T>(load: (...args: A) => T): (...args: A) => T {
  let loaded: Loaded<T> | undefined;
  return (...args) => unwrap((loaded ??= run(() => load(...args))));
}

/** As `once`, separately for each key (held weakly: a key that is gone takes its value with it). */
export function oncePer<K extends object, T>(load: (key: K) => T): (key: K) => T {
  const byKey = new WeakMap<K, Loaded<T>>();
  return (key) => {
    let loaded = byKey.get(key);
    if (!loaded) {
      loaded = run(() => load(key));
      byKey.set(key, loaded);
    }
    return unwrap(loaded);
  };
}
