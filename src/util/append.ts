/**
 * `target.push(...items)` without spreading: a spread puts every item on the call stack, and a
 * list from a cluster or a file (events, a hostile object's history) can be long enough to
 * overflow it.
 */
export function append<T>(target: T[], items: readonly T[]): T[] {
  for (const item of items) target.push(item);
  return target;
}
