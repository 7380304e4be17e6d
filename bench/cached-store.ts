import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";

/**
 * A generated store, built once into `dir` as `<prefix>-<version>-<size>.db`: one of the same
 * prefix and size from another generator or schema version is stale and removed, not kept beside.
 * Built under a temporary name and renamed, so an interrupted build leaves nothing that looks done.
 */
export function cachedStore(
  dir: string,
  o: { prefix: string; version: string; size: string; label: string },
  fill: (file: string) => void,
): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${o.prefix}-${o.version}-${o.size}.db`);
  if (existsSync(file)) return file;
  const stale = new RegExp(`^${o.prefix}-.+-${o.size}\\.db(-wal|-shm)?$`);
  for (const f of readdirSync(dir)) if (stale.test(f)) rmSync(path.join(dir, f), { force: true });
  const tmp = `${file}.tmp-${process.pid}`;
  for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  const t0 = performance.now();
  process.stdout.write(`generating ${o.label} in ${file} ... `);
  fill(tmp);
  for (const f of [`${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  renameSync(tmp, file);
  console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return file;
}
