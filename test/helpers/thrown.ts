/** The error of class `type` that `f` throws; anything else thrown, or nothing, fails the test. */
export function thrown<E extends Error>(type: abstract new (...args: never[]) => E, f: () => unknown): E {
  try {
    f();
  } catch (e) {
    if (e instanceof type) return e;
    throw e;
  }
  throw new Error(`expected ${type.name} to be thrown; nothing was`);
}
