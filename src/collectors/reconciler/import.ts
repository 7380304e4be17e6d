import path from "node:path";
import type { DB } from "../../store/db.js";
import { finishRun, startRun } from "../../store/ledger.js";
import { readExport } from "./ndjson.js";
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
}

export function importExport(db: DB, file: string, now: () => Date): ImportResult {
  const parsed = readExport(file);
  const { header } = parsed;
  const base: ImportResult = {
    file,
    cluster: header.cluster,
    runId: null,
    earlierRunId: null,
    counts: {},
    gaps: [],
    originFailed: header.status === "failed",
  };
  const earlier = db.prepare("SELECT run_id FROM reconciler_imports WHERE sha256 = ?").pluck().get(parsed.sha256) as
    | number
    | undefined;
  if (earlier !== undefined) return { ...base, earlierRunId: earlier };
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
  db.transaction(() => {
    const stored = storeClusterRecords(db, runId, parsed);
    result.gaps = stored.gaps;
    result.counts = stored.counts;
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
  })();
  return result;
}
