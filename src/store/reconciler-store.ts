import type {
  DeploymentRecord,
  HistoryObservation,
  ReconcilerEventRecord,
  ReconcilerKind,
} from "../collectors/reconciler/deployment.js";
import { deploymentKey } from "../collectors/reconciler/deployment.js";
import type { HistoryGap } from "../collectors/reconciler/history-gaps.js";
import { parseRevision } from "../collectors/reconciler/revision.js";
import type { DB } from "./db.js";
import { canonical, type RunRow } from "./ledger.js";

/**
 * Writes and reads of reconciler records. A record seen again is one row: what Flux moves in place
 * (a history entry's revision, last-reconciled time, Helm status) is updated, every revision it
 * ever showed is kept, and nothing is deleted when the cluster forgets it.
 */

export interface WriteCounts {
  added: number;
  updated: number;
}

interface StoredDeployment {
  id: number;
  basis: string;
  finished_at: string;
  revisions: string;
  detail: string;
  rollback: number;
  commit_oid: string | null;
  source_repo: string | null;
}

/**
 * Whether a record seen again changes its stored row (the upsert's WHERE, in JS). A read older
 * than the stored one (an export imported late) may only add what it alone knows (a rollback);
 * it never moves the record back to an earlier revision.
 */
function movesForward(s: StoredDeployment, d: DeploymentRecord, revisions: string, detail: string): boolean {
  if (s.basis === "status") return false;
  if (s.rollback < (d.rollback ? 1 : 0)) return true;
  if (d.finishedAt < s.finished_at) return false;
  return (
    s.finished_at < d.finishedAt ||
    s.revisions !== revisions ||
    s.detail !== detail ||
    (d.commit !== null && d.commit !== s.commit_oid) ||
    (d.sourceRepo !== null && d.sourceRepo !== s.source_repo)
  );
}

/**
 * Records that speak of a state rather than one sync (what the status showed at a read, an event
 * each reconcile repeats): a new one is kept only when the target's state changed since the
 * latest such record, so a revision re-applied later is a record again, and a reconcile repeated
 * every ten minutes is not a deployment each time.
 */
const STATE_BASES = new Set<DeploymentRecord["basis"]>(["status", "event", "webhook"]);

/** Argo CD's events each report one operation (a failed sync), not a state that repeats. */
const isState = (d: DeploymentRecord) => STATE_BASES.has(d.basis) && d.reconciler !== "argocd";

/** One transaction per call: a batch lands whole or not at all. */
export function storeDeployments(db: DB, runId: number, records: readonly DeploymentRecord[]): WriteCounts {
  const find = db.prepare(
    "SELECT id, basis, finished_at, revisions, detail, rollback, commit_oid, source_repo FROM deployments WHERE key = ?",
  );
  const latestState = db.prepare(
    `SELECT revisions FROM deployments
     WHERE cluster = ? AND namespace = ? AND name = ? AND reconciler = ? AND basis = ? AND outcome = ?
       AND rollback = ? AND finished_at <= ?
     ORDER BY finished_at DESC, id DESC LIMIT 1`,
  );
  // A status record is an observation ("this revision was applied, seen first then"): the first
  // sighting stands. Other records only move forward: the latest finish, revisions and detail.
  const upsert = db.prepare(
    `INSERT INTO deployments (key, reconciler, cluster, namespace, name, basis, identity, source_repo, source_path,
       revisions, commit_oid, started_at, finished_at, initiated_by, automated, outcome, rollback, evidence, detail,
       first_run_id, changed_run_id)
     VALUES (@key, @reconciler, @cluster, @namespace, @name, @basis, @identity, @sourceRepo, @sourcePath, @revisions,
       @commit, @startedAt, @finishedAt, @initiatedBy, @automated, @outcome, @rollback, @evidence, @detail, @run, @run)
     ON CONFLICT (key) DO UPDATE SET
       revisions = iif(excluded.finished_at >= finished_at, excluded.revisions, revisions),
       commit_oid = iif(excluded.finished_at >= finished_at, coalesce(excluded.commit_oid, commit_oid), commit_oid),
       source_repo = iif(excluded.finished_at >= finished_at, coalesce(excluded.source_repo, source_repo), source_repo),
       source_path = iif(excluded.finished_at >= finished_at, coalesce(excluded.source_path, source_path), source_path),
       evidence = iif(excluded.finished_at >= finished_at, excluded.evidence, evidence),
       detail = iif(excluded.finished_at >= finished_at, excluded.detail, detail),
       finished_at = max(finished_at, excluded.finished_at),
       rollback = max(rollback, excluded.rollback),
       changed_run_id = excluded.changed_run_id
     WHERE basis <> 'status' AND (rollback < excluded.rollback OR (excluded.finished_at >= finished_at AND (
       finished_at < excluded.finished_at OR revisions <> excluded.revisions OR detail <> excluded.detail
       OR coalesce(commit_oid, '') <> coalesce(excluded.commit_oid, commit_oid, '')
       OR coalesce(source_repo, '') <> coalesce(excluded.source_repo, source_repo, ''))))`,
  );
  const revision = db.prepare(
    "INSERT OR IGNORE INTO deployment_revisions (deployment_id, revision, commit_oid, first_run_id) VALUES (?, ?, ?, ?)",
  );
  const counts: WriteCounts = { added: 0, updated: 0 };
  db.transaction(() => {
    for (const d of records) {
      const key = deploymentKey(d);
      const stored = find.get(key) as StoredDeployment | undefined;
      const revisions = JSON.stringify(d.revisions);
      const detail = canonical(d.detail);
      if (!stored && isState(d)) {
        // Compared with the latest record of the same outcome: applied and failed-attempt records
        // of one target interleave, each a state of its own; so is a rollback (Helm
        // RollbackSucceeded) to the revision deployed before.
        const before = latestState.get(
          d.cluster,
          d.namespace,
          d.name,
          d.reconciler,
          d.basis,
          d.outcome,
          d.rollback ? 1 : 0,
          d.finishedAt,
        ) as { revisions: string } | undefined;
        if (before && before.revisions === revisions) continue;
      }
      // Every revision a record ever showed is kept, even from a read too old to move the record.
      if (stored && stored.revisions !== revisions) {
        for (const rev of d.revisions) revision.run(stored.id, rev, parseRevision(rev).commit, runId);
      }
      // Most records a run reads are stored already and unchanged: skip the write (the upsert's
      // WHERE repeats the same rules, so this is only the fast path).
      if (stored && !movesForward(stored, d, revisions, detail)) continue;
      const r = upsert.run({
        key,
        reconciler: d.reconciler,
        cluster: d.cluster,
        namespace: d.namespace,
        name: d.name,
        basis: d.basis,
        identity: d.identity,
        sourceRepo: d.sourceRepo,
        sourcePath: d.sourcePath,
        revisions,
        commit: d.commit,
        startedAt: d.startedAt,
        finishedAt: d.finishedAt,
        initiatedBy: d.initiatedBy,
        automated: d.automated === null ? null : d.automated ? 1 : 0,
        outcome: d.outcome,
        rollback: d.rollback ? 1 : 0,
        evidence: d.evidence,
        detail,
        run: runId,
      });
      if (r.changes === 0) continue;
      counts[stored ? "updated" : "added"]++;
      const id = stored ? stored.id : Number(r.lastInsertRowid);
      for (const rev of d.revisions) revision.run(id, rev, parseRevision(rev).commit, runId);
    }
  }).immediate();
  return counts;
}

/** A new row of a target's history, and the row before it (null for the first read). */
export interface NewObservation {
  observation: HistoryObservation;
  previous: HistoryObservation | null;
}

const SAME_HISTORY = ["entries", "capacity", "horizon", "newest", "seqMin", "seqMax", "state"] as const;

/**
 * A cron job reads every target every few minutes; most reads see the same history. A read like
 * the target's latest row only moves that row's `seen_until`, so rows grow with changes, not with
 * runs. A read that differs is a new row, returned with the row before it for the gap check; a
 * read already recorded (an import seen twice) changes nothing.
 */
export function storeObservations(
  db: DB,
  runId: number,
  observations: readonly HistoryObservation[],
): NewObservation[] {
  const latest = db.prepare(
    `SELECT * FROM reconciler_observations WHERE reconciler = ? AND cluster = ? AND namespace = ? AND name = ?
     ORDER BY seen_until DESC LIMIT 1`,
  );
  const extend = db.prepare(
    `UPDATE reconciler_observations SET seen_until = @observedAt
     WHERE reconciler = @reconciler AND cluster = @cluster AND namespace = @namespace AND name = @name
       AND observed_at = @previousAt`,
  );
  const insert = db.prepare(
    `INSERT OR IGNORE INTO reconciler_observations (reconciler, cluster, namespace, name, observed_at, seen_until,
       run_id, entries, capacity, horizon, newest, seq_min, seq_max, state)
     VALUES (@reconciler, @cluster, @namespace, @name, @observedAt, @observedAt, @run, @entries, @capacity, @horizon,
       @newest, @seqMin, @seqMax, @state)`,
  );
  const added: NewObservation[] = [];
  db.transaction(() => {
    for (const o of observations) {
      const row = latest.get(o.reconciler, o.cluster, o.namespace, o.name) as ObservationRow | undefined;
      const previous = row ? observationOf(row) : null;
      // Only a later read extends the latest state: an older one (imported late) is a row of its
      // own, so rows never overlap in time and a state that recurs stays two states.
      const later = previous !== null && o.observedAt >= (previous.seenUntil ?? previous.observedAt);
      if (previous && later && SAME_HISTORY.every((k) => previous[k] === o[k])) {
        extend.run({ ...o, previousAt: previous.observedAt });
      } else if (insert.run({ ...o, run: runId }).changes > 0) {
        added.push({ observation: o, previous });
      }
    }
  }).immediate();
  return added;
}

/** Events: an aggregated Kubernetes Event keeps its uid and moves its count and last time. */
export function storeEvents(db: DB, runId: number, events: readonly ReconcilerEventRecord[]): WriteCounts {
  const find = db.prepare("SELECT 1 FROM reconciler_events WHERE cluster = ? AND key = ?").pluck();
  const upsert = db.prepare(
    `INSERT INTO reconciler_events (cluster, key, via, kind, namespace, name, reason, severity, message, revision,
       controller, first_at, last_at, count, first_run_id)
     VALUES (@cluster, @key, @via, @kind, @namespace, @name, @reason, @severity, @message, @revision, @controller,
       @firstAt, @lastAt, @count, @run)
     ON CONFLICT (cluster, key) DO UPDATE SET last_at = excluded.last_at, count = excluded.count,
       message = excluded.message
     WHERE excluded.last_at > last_at OR excluded.count > count`,
  );
  const counts: WriteCounts = { added: 0, updated: 0 };
  db.transaction(() => {
    for (const e of events) {
      const existed = find.get(e.cluster, e.key) !== undefined;
      if (upsert.run({ ...e, run: runId }).changes > 0) counts[existed ? "updated" : "added"]++;
    }
  }).immediate();
  return counts;
}

interface ObservationRow {
  reconciler: ReconcilerKind;
  cluster: string;
  namespace: string;
  name: string;
  observed_at: string;
  seen_until: string;
  entries: number;
  capacity: number | null;
  horizon: string | null;
  newest: string | null;
  seq_min: number | null;
  seq_max: number | null;
  state: string | null;
}

function observationOf(r: ObservationRow): HistoryObservation {
  return {
    reconciler: r.reconciler,
    cluster: r.cluster,
    namespace: r.namespace,
    name: r.name,
    observedAt: r.observed_at,
    seenUntil: r.seen_until,
    entries: r.entries,
    capacity: r.capacity,
    horizon: r.horizon,
    newest: r.newest,
    seqMin: r.seq_min,
    seqMax: r.seq_max,
    state: r.state,
  };
}

/** Every observation, optionally of one cluster, in target and time order. */
export function readObservations(db: DB, cluster?: string): HistoryObservation[] {
  const rows = (
    cluster === undefined
      ? db.prepare("SELECT * FROM reconciler_observations ORDER BY reconciler, cluster, namespace, name, observed_at")
      : db.prepare(
          "SELECT * FROM reconciler_observations WHERE cluster = ? ORDER BY reconciler, cluster, namespace, name, observed_at",
        )
  ).all(...(cluster === undefined ? [] : [cluster])) as ObservationRow[];
  return rows.map(observationOf);
}

export interface DeploymentRow {
  id: number;
  key: string;
  reconciler: ReconcilerKind;
  cluster: string;
  namespace: string;
  name: string;
  basis: string;
  identity: string;
  source_repo: string | null;
  source_path: string | null;
  revisions: string;
  commit_oid: string | null;
  started_at: string | null;
  finished_at: string;
  initiated_by: string | null;
  automated: number | null;
  outcome: string;
  rollback: number;
  evidence: string;
  detail: string;
  first_run_id: number;
  changed_run_id: number;
}

/** Stored deployments as records again (for export), in target and time order. */
export function readDeployments(db: DB): DeploymentRecord[] {
  const rows = db
    .prepare("SELECT * FROM deployments ORDER BY cluster, namespace, name, reconciler, finished_at, key")
    .all() as DeploymentRow[];
  return rows.map((r) => ({
    reconciler: r.reconciler,
    cluster: r.cluster,
    namespace: r.namespace,
    name: r.name,
    basis: r.basis as DeploymentRecord["basis"],
    identity: r.identity,
    sourceRepo: r.source_repo,
    sourcePath: r.source_path,
    revisions: JSON.parse(r.revisions) as string[],
    commit: r.commit_oid,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    initiatedBy: r.initiated_by,
    automated: r.automated === null ? null : r.automated === 1,
    outcome: r.outcome as DeploymentRecord["outcome"],
    rollback: r.rollback === 1,
    evidence: r.evidence,
    detail: JSON.parse(r.detail) as DeploymentRecord["detail"],
  }));
}

/** Gaps a run found; one already recorded (the same read imported again) is not recorded twice. */
export function storeHistoryGaps(db: DB, runId: number, gaps: readonly HistoryGap[]): void {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO reconciler_history_gaps (run_id, kind, reconciler, cluster, namespace, name, after, before,
       lost, found_at)
     VALUES (@run, @kind, @reconciler, @cluster, @namespace, @name, @after, @before, @lost, @foundAt)`,
  );
  db.transaction(() => {
    for (const g of gaps) insert.run({ ...g, run: runId });
  }).immediate();
}

/**
 * When a reconciler run's records were read in the cluster: an import's exporting run's start,
 * the export files' time for a `files` source, else the run's own start.
 */
export function clusterReadAt(run: RunRow): string {
  try {
    const p = JSON.parse(run.parameters) as { readAt?: unknown; origin?: { startedAt?: unknown } };
    if (typeof p.origin?.startedAt === "string") return new Date(p.origin.startedAt).toISOString();
    if (typeof p.readAt === "string") return new Date(p.readAt).toISOString();
  } catch {
    // An unreadable parameters column: the run's start is all there is.
  }
  return run.started_at;
}

/** Argo CD's API server's event when a person rolls an Application back: `<user> initiated rollback to <id>`. */
const ARGO_ROLLBACK = /^(.*?) initiated rollback to (\d{1,9})\s*$/;
/** How far from the event the rollback's history entry may start (the server stamps both). */
const ROLLBACK_EARLY_MS = 5_000;
const ROLLBACK_LATE_MS = 10 * 60_000;

/**
 * Marks as rollbacks the Argo CD history entries that Argo CD's own events say were one. Only the
 * current operationState says "rollback" (it names a source): an older rollback is a history entry
 * like any manual sync, so it is found from the event "<user> initiated rollback to <id>": the
 * first entry that user started right after it, deploying what history entry <id> (deployed before
 * the event) deployed. When entry <id> was never stored nothing is marked: which entry the
 * rollback made cannot be shown. Idempotent; each run repeats it for the cluster, since the event
 * and the entry may arrive in different reads. Returns how many records it marked.
 */
export function markArgoRollbacks(db: DB, runId: number, cluster: string): number {
  const events = db
    .prepare(
      `SELECT namespace, name, first_at, message FROM reconciler_events
       WHERE cluster = ? AND kind = 'Application' AND reason = 'OperationStarted' AND message LIKE '%initiated rollback to %'
       ORDER BY first_at`,
    )
    .all(cluster) as { namespace: string; name: string; first_at: string; message: string }[];
  const target = db.prepare(
    `SELECT revisions FROM deployments WHERE reconciler = 'argocd' AND cluster = ? AND namespace = ? AND name = ?
       AND basis = 'history' AND json_extract(detail, '$.historyId') = ? AND julianday(finished_at) <= julianday(?)
     ORDER BY finished_at DESC LIMIT 1`,
  );
  const candidates = db.prepare(
    `SELECT id, revisions, rollback, initiated_by FROM deployments WHERE reconciler = 'argocd' AND cluster = ? AND namespace = ?
       AND name = ? AND basis = 'history' AND coalesce(automated, 0) = 0
       AND julianday(coalesce(started_at, finished_at)) BETWEEN julianday(?) AND julianday(?)
     ORDER BY julianday(coalesce(started_at, finished_at)), id`,
  );
  const mark = db.prepare("UPDATE deployments SET rollback = 1, changed_run_id = ? WHERE id = ? AND rollback = 0");
  let marked = 0;
  db.transaction(() => {
    for (const e of events) {
      const m = ARGO_ROLLBACK.exec(e.message);
      const user = m?.[1]?.trim();
      const id = m?.[2];
      const at = Date.parse(e.first_at);
      if (id === undefined || Number.isNaN(at)) continue;
      const to = target.get(cluster, e.namespace, e.name, Number(id), e.first_at) as { revisions: string } | undefined;
      if (!to) continue;
      const iso = (ms: number) => new Date(ms).toISOString();
      const rows = candidates.all(
        cluster,
        e.namespace,
        e.name,
        iso(at - ROLLBACK_EARLY_MS),
        iso(at + ROLLBACK_LATE_MS),
      ) as { id: number; revisions: string; rollback: number; initiated_by: string | null }[];
      // The entry that user started (an entry that names no one may be theirs: before Argo CD 2.11).
      const entry = rows.find(
        (r) => r.revisions === to.revisions && (r.initiated_by === null || !user || r.initiated_by === user),
      );
      if (entry && entry.rollback === 0) marked += mark.run(runId, entry.id).changes;
    }
  }).immediate();
  return marked;
}
