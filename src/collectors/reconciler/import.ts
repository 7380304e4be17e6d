import path from "node:path";
import { ChangeproofError, messageOf } from "../../errors/index.js";
import type { DB } from "../../store/db.js";
import { finishRun, type RunRow, sealFailed, startRun } from "../../store/ledger.js";
import { clusterReadAt } from "../../store/reconciler-store.js";
import { oneLine } from "../../util/visible.js";
import { exportCluster, readExport } from "./ndjson.js";
import { storeClusterRecords } from "./store-records.js";

/**
 * Imports one export file: checked whole first (readExport), then stored in one transaction as a
 * run of its own that names the file, its SHA-256 and the run that wrote it. The import run takes
 * the exporting run's outcome, so a failed in-cluster run is a gap here too. A file imported
 * before is not imported again.
 */

export interface ImportResult {
  file: string;
  cluster: string;
  /** Null when the file had been imported already (by that earlier run). */
  runId: number | null;
  earlierRunId: number | null;
  counts: Record<string, number>;
  gaps: string[];
  originFailed: boolean;
  /** A later read of the cluster was stored already: see importExport. */
  outOfOrder: string | null;
}

/**
 * A file from a cluster the config does not name would be stored under whatever name its header
 * gives and counted nowhere in the report's coverage: refused, naming the cluster (exit 2).
 */
function unknownClusters(found: readonly { file: string; cluster: string }[], known: ReadonlySet<string>) {
  const names = [...known].sort();
  const shown = found.map((f) => `${f.file}: cluster "${oneLine(f.cluster, 100)}"`);
  return new ChangeproofError(
    "config",
    "E_IMPORT_UNKNOWN_CLUSTER",
    `${shown.slice(0, 5).join("; ")}${shown.length > 5 ? `; and ${shown.length - 5} more` : ""} ${found.length === 1 ? "is" : "are"} not in the config's clusters (${names.length > 0 ? names.map((n) => `"${n}"`).join(", ") : "none"}); nothing was imported: add ${found.length === 1 ? "it" : "them"} to clusters, or pass --allow-unknown-clusters`,
  );
}

/**
 * Checks every file's header before any is imported: one file from an unknown cluster refuses
 * the whole import, so a folder is never left imported up to some file.
 */
export function refuseUnknownClusters(files: readonly string[], known: ReadonlySet<string>): void {
  const found = files.flatMap((file) => {
    const cluster = exportCluster(file);
    return cluster !== undefined && !known.has(cluster) ? [{ file, cluster }] : [];
  });
  if (found.length > 0) throw unknownClusters(found, known);
}

/** When the latest stored read of a cluster was made (collected here or imported). */
function latestReadOf(db: DB, cluster: string): string | null {
  const runs = db
    .prepare("SELECT * FROM collection_runs WHERE source = 'reconciler' AND json_extract(scope, '$.cluster') = ?")
    .all(cluster) as RunRow[];
  let latest: string | null = null;
  for (const r of runs) {
    const at = clusterReadAt(r);
    if (latest === null || at > latest) latest = at;
  }
  return latest;
}

/**
 * `latestReads` carries each cluster's latest stored read from one file to the next, so a folder
 * of exports is not a scan of every run per file.
 */
export function importExport(
  db: DB,
  file: string,
  now: () => Date,
  latestReads: Map<string, string | null> = new Map(),
  /** Clusters the config names; a file from any other is refused. Undefined: any cluster. */
  knownClusters?: ReadonlySet<string>,
): ImportResult {
  const parsed = readExport(file);
  const { header } = parsed;
  if (knownClusters && !knownClusters.has(header.cluster)) {
    throw unknownClusters([{ file, cluster: header.cluster }], knownClusters);
  }
  const base: ImportResult = {
    file,
    cluster: header.cluster,
    runId: null,
    earlierRunId: null,
    counts: {},
    gaps: [],
    originFailed: header.status === "failed",
    outOfOrder: null,
  };
  const earlier = db.prepare("SELECT run_id FROM reconciler_imports WHERE sha256 = ?").pluck().get(parsed.sha256) as
    | number
    | undefined;
  if (earlier !== undefined) return { ...base, earlierRunId: earlier };
  // Records of a state (a status, a repeated event) are kept per change, judged against what came
  // before them: a read older than one stored already can't be judged against what came after.
  // Import exports in the order they were written (a folder is imported in file-name order).
  if (!latestReads.has(header.cluster)) latestReads.set(header.cluster, latestReadOf(db, header.cluster));
  const later = latestReads.get(header.cluster) ?? null;
  const readAt = new Date(header.startedAt).toISOString();
  if (later && later > readAt) {
    base.outOfOrder = `a later read of cluster ${header.cluster} (${later}) was stored first; state records (status, events) of this one may be kept twice or merged`;
  }
  const origin = {
    runId: header.runId,
    startedAt: header.startedAt,
    tool: header.tool,
    status: header.status,
    parameters: header.parameters,
  };
  const runId = startRun(db, {
    source: "reconciler",
    scope: { cluster: header.cluster },
    parameters: { source: "import", file: path.basename(file), sha256: parsed.sha256, origin },
    now: now(),
  });
  const result: ImportResult = { ...base, runId };
  try {
    db.transaction(() => {
      const stored = storeClusterRecords(db, runId, parsed);
      result.gaps = stored.gaps;
      // What the exporting run skipped or could not read travels with it: the report names it here too.
      result.counts = { ...stored.counts, warnings: header.counts.warnings ?? 0 };
      db.prepare("INSERT INTO reconciler_imports (sha256, run_id, file, origin) VALUES (?, ?, ?, ?)").run(
        parsed.sha256,
        runId,
        path.basename(file),
        JSON.stringify(origin),
      );
      finishRun(db, runId, {
        status: header.status === "failed" ? "failed" : "succeeded",
        counts: result.counts,
        ...(header.status === "failed"
          ? { error: `the exporting run ${header.runId} failed: ${header.error ?? "no reason given"}` }
          : {}),
        now: now(),
      });
    }).immediate();
  } catch (e) {
    // Nothing of the file was stored (one transaction); the run says why instead of staying open.
    sealFailed(db, runId, { error: messageOf(e), now: now() });
    throw e;
  }
  if (!later || readAt > later) latestReads.set(header.cluster, readAt);
  return result;
}
