/**
 * The map's value for the key, made and stored on first use (TC39's Map.prototype.getOrInsertComputed,
 * not yet in Node 20).
 */
export function getOrInsert<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) {
    v = make();
    m.set(k, v);
  }
  return v;
}
