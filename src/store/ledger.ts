import { createHash } from "node:crypto";
import { hostname } from "node:os";
import { processAlive } from "../util/process.js";
import { oneLine } from "../util/visible.js";
import { toolVersion } from "../version.js";
import type { DB } from "./db.js";

/**
 * The collection-run ledger. Each run is a row; when a run ends it is sealed: it gets the next
 * seal number and a SHA-256 over its own fields and the previous sealed row's hash. Editing or
 * deleting a sealed row breaks the chain; AUTOINCREMENT ids never repeat, so a deleted tail
 * shows as a gap between the highest id ever issued and the last row.
 */

export type RunStatus = "running" | "succeeded" | "failed" | "abandoned";

export interface RunRow {
  id: number;
  source: string;
  scope: string;
  tool_version: string;
  parameters: string;
  started_at: string;
  finished_at: string | null;
  status: RunStatus;
  counts: string | null;
  error: string | null;
  seal_seq: number | null;
  prev_hash: string | null;
  hash: string | null;
}

export interface StartRun {
  source: string;
  scope: Record<string, unknown>;
  parameters: Record<string, unknown>;
  now?: Date;
}

export function startRun(db: DB, run: StartRun): number {
  const params = { ...run.parameters, host: hostname(), pid: process.pid };
  const r = db
    .prepare(
      "INSERT INTO collection_runs (source, scope, tool_version, parameters, started_at, status) VALUES (?, ?, ?, ?, ?, 'running')",
    )
    .run(run.source, canonical(run.scope), toolVersion, canonical(params), (run.now ?? new Date()).toISOString());
  return Number(r.lastInsertRowid);
}

/** Sorted-key JSON, so the same record always hashes the same. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

function hashOf(row: RunRow): string {
  const fields = [
    row.id,
    row.source,
    row.scope,
    row.tool_version,
    row.parameters,
    row.started_at,
    row.finished_at,
    row.status,
    row.counts,
    row.error,
    row.seal_seq,
    row.prev_hash,
  ];
  return createHash("sha256").update(JSON.stringify(fields)).digest("hex");
}

/** The counts of the latest finished run of `source` for a repository (scope.repo), if any. */
export function lastRunCounts(db: DB, source: string, repo: string): Record<string, number> | undefined {
  const row = db
    .prepare(
      `SELECT counts FROM collection_runs WHERE source = ? AND json_extract(scope, '$.repo') = ?
       AND status IN ('succeeded', 'failed') ORDER BY id DESC LIMIT 1`,
    )
    .get(source, repo) as { counts: string | null } | undefined;
  if (!row?.counts) return undefined;
  try {
    return JSON.parse(row.counts) as Record<string, number>;
  } catch {
    return undefined;
  }
}

export interface FinishRun {
  status: Exclude<RunStatus, "running">;
  counts?: Record<string, number>;
  error?: string;
  now?: Date;
}

/** Errors kept in the ledger are at most this long: enough for every failure a run lists. */
const MAX_STORED_ERROR = 4000;

/**
 * The one way an error enters the store: secrets masked (a server may echo the request's token),
 * controls shown, one line, capped. The ledger feeds `runs`, exports and the report's cover.
 */
export function storedError(text: string): string {
  return oneLine(text, MAX_STORED_ERROR);
}

/** End a run and seal it into the chain. Call inside the transaction that writes its last data. */
export function finishRun(db: DB, id: number, f: FinishRun): void {
  db.transaction(() => {
    const last = db
      .prepare("SELECT seal_seq, hash FROM collection_runs WHERE seal_seq IS NOT NULL ORDER BY seal_seq DESC LIMIT 1")
      .get() as { seal_seq: number; hash: string } | undefined;
    const row = db.prepare("SELECT * FROM collection_runs WHERE id = ?").get(id) as RunRow | undefined;
    if (!row) throw new Error(`collection run ${id} does not exist`);
    if (row.seal_seq !== null) throw new Error(`collection run ${id} is already sealed`);
    const sealed: RunRow = {
      ...row,
      finished_at: (f.now ?? new Date()).toISOString(),
      status: f.status,
      counts: f.counts ? canonical(f.counts) : null,
      error: f.error === undefined ? null : storedError(f.error),
      seal_seq: (last?.seal_seq ?? 0) + 1,
      prev_hash: last?.hash ?? null,
    };
    sealed.hash = hashOf(sealed);
    db.prepare(
      "UPDATE collection_runs SET finished_at = ?, status = ?, counts = ?, error = ?, seal_seq = ?, prev_hash = ?, hash = ? WHERE id = ?",
    ).run(
      sealed.finished_at,
      sealed.status,
      sealed.counts,
      sealed.error,
      sealed.seal_seq,
      sealed.prev_hash,
      sealed.hash,
      id,
    );
  }).immediate();
}

/**
 * Seals a run that failed, in a catch block: the failure being thrown matters more than the seal,
 * so this never throws. SQLite's busy timeout may run out while another writer holds the lock
 * (the very failure being handled, often); the seal is tried again before giving up, and a run it
 * could not seal is sealed as abandoned by the next run that opens the store.
 */
export function sealFailed(db: DB, id: number, f: Omit<FinishRun, "status">): void {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      finishRun(db, id, { ...f, status: "failed" });
      return;
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (typeof code !== "string" || !code.startsWith("SQLITE_BUSY")) return;
    }
  }
}

/** Seal runs left 'running' by a process that died (killed, crashed, machine lost). */
export function abandonDeadRuns(db: DB, now = new Date()): number {
  const rows = db.prepare("SELECT id, parameters FROM collection_runs WHERE status = 'running'").all() as {
    id: number;
    parameters: string;
  }[];
  let n = 0;
  for (const r of rows) {
    const p = JSON.parse(r.parameters) as { host?: string; pid?: number };
    const sameHost = p.host === hostname();
    if (sameHost && typeof p.pid === "number" && p.pid !== process.pid && processAlive(p.pid)) continue;
    if (sameHost && p.pid === process.pid) continue;
    finishRun(db, r.id, { status: "abandoned", error: "the process running it ended before it finished", now });
    n++;
  }
  return n;
}

export interface LedgerCheck {
  runs: number;
  sealed: number;
  intact: boolean;
  problems: string[];
  head: string | null;
}

/** Recompute the chain; any edited, deleted or reordered sealed run is a problem. */
export function verifyLedger(db: DB): LedgerCheck {
  const rows = db.prepare("SELECT * FROM collection_runs ORDER BY id").all() as RunRow[];
  const problems: string[] = [];
  const sealed = rows.filter((r) => r.seal_seq !== null).sort((a, b) => (a.seal_seq ?? 0) - (b.seal_seq ?? 0));
  let prev: string | null = null;
  let expectSeq = 1;
  for (const r of sealed) {
    if (r.seal_seq !== expectSeq)
      problems.push(`sealed run #${expectSeq} is missing (next is #${r.seal_seq}, run ${r.id})`);
    expectSeq = (r.seal_seq ?? 0) + 1;
    if (r.prev_hash !== prev) problems.push(`run ${r.id} does not follow the run sealed before it`);
    if (hashOf(r) !== r.hash) problems.push(`run ${r.id} was altered after it was sealed`);
    prev = r.hash;
  }
  const seq = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'collection_runs'").get() as
    | { seq: number }
    | undefined;
  const maxId = rows.at(-1)?.id ?? 0;
  if (seq && seq.seq > maxId) problems.push(`runs ${maxId + 1}..${seq.seq} were deleted`);
  const ids = new Set(rows.map((r) => r.id));
  for (let i = 1; i <= maxId; i++) {
    if (!ids.has(i)) problems.push(`run ${i} was deleted`);
  }
  return { runs: rows.length, sealed: sealed.length, intact: problems.length === 0, problems, head: prev };
}

export function getRun(db: DB, id: number): RunRow | undefined {
  return db.prepare("SELECT * FROM collection_runs WHERE id = ?").get(id) as RunRow | undefined;
}

export function listRuns(db: DB, limit = 50): RunRow[] {
  return db.prepare("SELECT * FROM collection_runs ORDER BY id DESC LIMIT ?").all(limit) as RunRow[];
}
