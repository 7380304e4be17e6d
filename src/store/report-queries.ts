import type { DB } from "./db.js";
import type { RunRow } from "./ledger.js";

/** Read-side queries that feed evidence. They return plain rows; evidence does the judging. */

export interface RepoRow {
  id: number;
  name: string;
  role: "app" | "gitops";
  source: string;
}

export interface RewriteRow {
  repo: string;
  branch: string;
  old_tip: string;
  new_tip: string;
  old_tip_present: number;
  dropped_commits: number;
  observed_at: string;
  previous_run_finished_at: string | null;
  run_id: number;
}

export function listRepos(db: DB): RepoRow[] {
  return db.prepare("SELECT id, name, role, source FROM repos ORDER BY name").all() as RepoRow[];
}

/**
 * The runs that first saw, or saw a rewrite drop, a protected-branch commit committed in
 * [from, to) (epoch seconds): the git runs a period's report rests on.
 */
export function branchRunsIn(db: DB, fromSec: number, toSec: number): number[] {
  return (
    db
      .prepare(
        `SELECT b.first_seen_run AS run FROM branch_commits b JOIN commits c ON c.repo_id = b.repo_id AND c.sha = b.sha
           WHERE c.committer_time >= ? AND c.committer_time < ?
         UNION SELECT b.removed_run FROM branch_commits b JOIN commits c ON c.repo_id = b.repo_id AND c.sha = b.sha
           WHERE b.removed_run IS NOT NULL AND c.committer_time >= ? AND c.committer_time < ?
         ORDER BY run`,
      )
      .all(fromSec, toSec, fromSec, toSec) as { run: number }[]
  ).map((r) => r.run);
}

/** Rewrites observed in the period, or later ones that dropped commits committed in it. */
export function rewritesIn(db: DB, fromIso: string, toIso: string, fromSec: number, toSec: number): RewriteRow[] {
  return db
    .prepare(
      `SELECT r.name AS repo, h.branch, h.old_tip, h.new_tip, h.old_tip_present, h.dropped_commits, h.observed_at,
              p.finished_at AS previous_run_finished_at, h.run_id
       FROM history_rewrites h JOIN repos r ON r.id = h.repo_id JOIN collection_runs p ON p.id = h.previous_run
       WHERE (h.observed_at >= ? AND h.observed_at < ?)
          OR EXISTS (SELECT 1 FROM branch_commits b JOIN commits c ON c.repo_id = b.repo_id AND c.sha = b.sha
                     WHERE b.repo_id = h.repo_id AND b.branch = h.branch AND b.removed_run = h.run_id
                       AND c.committer_time >= ? AND c.committer_time < ?)
       ORDER BY h.observed_at, r.name, h.branch`,
    )
    .all(fromIso, toIso, fromSec, toSec) as RewriteRow[];
}

export function runsFor(db: DB, source: string): RunRow[] {
  return db.prepare("SELECT * FROM collection_runs WHERE source = ? ORDER BY id").all(source) as RunRow[];
}

/** The runs with these ids, by id. */
export function runsById(db: DB, ids: readonly number[]): RunRow[] {
  const wanted = new Set(ids);
  return (db.prepare("SELECT * FROM collection_runs ORDER BY id").all() as RunRow[]).filter((r) => wanted.has(r.id));
}

/** What SQLite's full integrity check finds wrong with the store (index order and content included). */
export function integrityProblems(db: DB, max = 10): string[] {
  const rows = db.pragma(`integrity_check(${max})`) as { integrity_check: string }[];
  return rows.map((r) => r.integrity_check).filter((p) => p !== "ok");
}

export interface UnjoinedBranchCommit {
  repo: string;
  branch: string;
  sha: string;
  missing: "commit" | "run" | "repo";
}

/**
 * Protected-branch rows that the population's joins would drop: no commit record for the sha, or
 * no run for the run that first saw it. The collector never writes such rows, so each one is
 * damage to the store, and the report must name it rather than lose the change.
 */
export function unjoinedBranchCommits(db: DB): UnjoinedBranchCommit[] {
  return db
    .prepare(
      `SELECT coalesce(r.name, '#' || b.repo_id) AS repo, b.branch, b.sha,
              CASE WHEN r.id IS NULL THEN 'repo' WHEN c.sha IS NULL THEN 'commit' ELSE 'run' END AS missing
       FROM branch_commits b
       LEFT JOIN repos r ON r.id = b.repo_id
       LEFT JOIN commits c ON c.repo_id = b.repo_id AND c.sha = b.sha
       LEFT JOIN collection_runs fr ON fr.id = b.first_seen_run
       WHERE c.sha IS NULL OR fr.id IS NULL OR r.id IS NULL
       ORDER BY repo, b.branch, b.sha`,
    )
    .all() as UnjoinedBranchCommit[];
}

export interface BaseForcePushRow {
  repo: string;
  branch: string;
  actor: string | null;
  at: string;
  before: string | null;
  after: string | null;
  pullRequest: number;
}

/**
 * Base-branch force pushes GitHub recorded in the period, from the timelines of the pull requests
 * stored (the branch is the pull request's base) and of open pull requests (gh_base_force_pushes:
 * the branch is the base they had when read). One push seen on several pull requests' timelines
 * is one row.
 */
export function baseForcePushesIn(db: DB, fromIso: string, toIso: string): BaseForcePushRow[] {
  return db
    .prepare(
      `SELECT r.name AS repo, e.branch, e.actor_login AS actor, e.created_at AS at,
              e.before_oid AS before, e.after_oid AS after, min(e.pr_number) AS pullRequest
       FROM (SELECT e.repo_id, p.base_ref AS branch, e.pr_number, e.actor_login, e.created_at, e.before_oid, e.after_oid
             FROM gh_pr_events e
             JOIN gh_pull_requests p ON p.repo_id = e.repo_id AND p.number = e.pr_number
             WHERE e.kind = 'BaseRefForcePushedEvent'
             UNION ALL
             SELECT repo_id, base_ref, pr_number, actor_login, created_at, before_oid, after_oid
             FROM gh_base_force_pushes) e
       JOIN repos r ON r.id = e.repo_id
       WHERE e.created_at >= ? AND e.created_at < ?
       GROUP BY r.name, e.branch, e.actor_login, e.created_at, e.before_oid, e.after_oid
       ORDER BY r.name, e.branch, e.created_at`,
    )
    .all(fromIso, toIso) as BaseForcePushRow[];
}
