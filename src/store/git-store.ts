import { type CommitBatch, F, FIELDS } from "../collectors/git/commit-batch.js";
import type { RepoRole } from "../config/schema.js";
import type { DB } from "./db.js";

/** Writes and reads of git history. Writers take whole batches: one transaction each. */

export function upsertRepo(db: DB, name: string, role: RepoRole, source: string): number {
  db.prepare(
    "INSERT INTO repos (name, role, source) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET role = excluded.role, source = excluded.source",
  ).run(name, role, source);
  return (db.prepare("SELECT id FROM repos WHERE name = ?").get(name) as { id: number }).id;
}

export interface TipRow {
  ref: string;
  sha: string;
  protected: number;
  run_id: number;
}

/** Ref tips recorded by the repo's last successful git run: what is already collected. */
export function lastTips(db: DB, repoId: number): TipRow[] {
  return db
    .prepare(
      `SELECT ref, sha, protected, run_id FROM ref_tips WHERE run_id = (
         SELECT max(t.run_id) FROM ref_tips t JOIN collection_runs r ON r.id = t.run_id
         WHERE t.repo_id = ? AND r.status = 'succeeded')`,
    )
    .all(repoId) as TipRow[];
}

const COMMIT_COLUMNS =
  "repo_id, sha, tree, parents, author_name, author_email, author_time, author_tz, committer_name, committer_email, committer_time, committer_tz, subject, message, signature, trailers, run_id";

/**
 * Commits are staged in a TEMP table (unindexed, outside the WAL) and moved into `commits` in one
 * INSERT ... SELECT every STAGE_LIMIT rows and at the end, each chunk one transaction (merging
 * while the reading thread parses the next rows, so the merge costs no wall time): SQLite does
 * the row and index work in C instead of binding 17 values per row twice, and each index page a
 * chunk touches is written once. A crash loses at most the chunk in flight, which the next run
 * reads again from git: ref tips only advance when a run succeeds.
 */
export const STAGE_LIMIT = 25_000;

export interface CommitSink {
  /**
   * Stages a batch; `firstParentOf[i]` names the protected branches whose first-parent chain
   * commit i is on (or is null). Merges into `commits` when the stage is full.
   */
  write(batch: CommitBatch, firstParentOf: readonly (readonly string[] | null)[]): void;
  /** Merges what is staged; returns how many commits and branch memberships were new in all. */
  finish(): { added: number; members: number };
  /** Drops what is staged and not yet merged (the run failed); merged chunks stay. */
  abort(): void;
}

export function commitSink(db: DB, repoId: number, runId: number): CommitSink {
  db.exec(
    `CREATE TEMP TABLE IF NOT EXISTS commit_stage AS SELECT ${COMMIT_COLUMNS}, '' AS fp_branches FROM main.commits WHERE 0`,
  );
  db.exec("DELETE FROM temp.commit_stage");
  const insert = db.prepare(
    `INSERT INTO temp.commit_stage (${COMMIT_COLUMNS}, fp_branches) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const merge = db.prepare(
    `INSERT INTO main.commits (${COMMIT_COLUMNS}) SELECT ${COMMIT_COLUMNS} FROM temp.commit_stage
     WHERE true ON CONFLICT (repo_id, sha) DO NOTHING`,
  );
  const mergeMembers = db.prepare(
    `INSERT INTO main.branch_commits (repo_id, branch, sha, first_seen_run)
     SELECT s.repo_id, b.value, s.sha, s.run_id FROM temp.commit_stage s, json_each(s.fp_branches) b
     WHERE s.fp_branches IS NOT NULL
     ON CONFLICT (repo_id, branch, sha) DO UPDATE SET removed_run = NULL WHERE removed_run IS NOT NULL`,
  );
  let staged = 0;
  let added = 0;
  let members = 0;
  let open = false;
  const flush = (): void => {
    added += merge.run().changes;
    members += mergeMembers.run().changes;
    db.exec("DELETE FROM temp.commit_stage");
    db.exec("COMMIT");
    open = false;
    staged = 0;
  };
  return {
    write(batch, firstParentOf) {
      if (!open) {
        db.exec("BEGIN");
        open = true;
      }
      const f = batch.fields;
      for (let i = 0, o = 0; i < batch.count; i++, o += FIELDS) {
        const fp = firstParentOf[i];
        insert.run(
          repoId,
          f[o + F.sha],
          f[o + F.tree],
          f[o + F.parents],
          f[o + F.authorName],
          f[o + F.authorEmail],
          Number(f[o + F.authorTime]),
          f[o + F.authorTz],
          f[o + F.committerName],
          f[o + F.committerEmail],
          Number(f[o + F.committerTime]),
          f[o + F.committerTz],
          f[o + F.subject],
          f[o + F.message],
          f[o + F.signature] || null,
          f[o + F.trailers] || null,
          runId,
          fp && fp.length > 0 ? JSON.stringify(fp) : null,
        );
      }
      staged += batch.count;
      if (staged >= STAGE_LIMIT) flush();
    },
    finish() {
      if (open) flush();
      return { added, members };
    },
    abort() {
      if (open && db.inTransaction) db.exec("ROLLBACK");
      open = false;
    },
  };
}

const FIRST_PARENT =
  "CASE WHEN instr(c.parents, ' ') > 0 THEN substr(c.parents, 1, instr(c.parents, ' ') - 1) ELSE c.parents END";

export interface FirstParentSync {
  /** Commits newly recorded as on the branch. */
  added: number;
  /** Commits that were on the branch and no longer are (only when `full`). */
  dropped: number;
}

/**
 * Records the first-parent chain of `tip` as members of `branch`, walking the stored commits
 * inside SQLite (no second pass over git's history). The walk stops at `stop`, the previous tip,
 * or runs to the root when `stop` is null; with `full`, members off the new chain are marked
 * dropped by this run (a rewrite). A chain that ends at a commit missing from the store is an
 * error: membership would otherwise be silently incomplete.
 */
export function syncFirstParent(
  db: DB,
  repoId: number,
  branch: string,
  runId: number,
  tip: string,
  stop: string | null,
  full: boolean,
): FirstParentSync {
  return db.transaction((): FirstParentSync => {
    db.exec(
      "CREATE TEMP TABLE IF NOT EXISTS fp_chain (n INTEGER PRIMARY KEY, sha TEXT NOT NULL, parent TEXT NOT NULL)",
    );
    db.exec("DELETE FROM temp.fp_chain");
    const params = { repo: repoId, tip, stop: stop ?? "" };
    db.prepare(
      `WITH RECURSIVE chain (n, sha, parent) AS (
         SELECT 0, c.sha, ${FIRST_PARENT} FROM commits c WHERE c.repo_id = :repo AND c.sha = :tip
         UNION ALL
         SELECT chain.n + 1, c.sha, ${FIRST_PARENT}
         FROM chain JOIN commits c ON c.repo_id = :repo AND c.sha = chain.parent
         WHERE chain.parent <> :stop AND chain.parent <> ''
       )
       INSERT INTO temp.fp_chain (n, sha, parent) SELECT n, sha, parent FROM chain`,
    ).run(params);
    const end = db.prepare("SELECT sha, parent FROM temp.fp_chain ORDER BY n DESC LIMIT 1").get() as
      | { sha: string; parent: string }
      | undefined;
    if (!end) throw new Error(`branch ${branch}: tip ${tip} is not in the store`);
    if (end.parent !== "" && end.parent !== (stop ?? "")) {
      throw new Error(
        `branch ${branch}: first-parent chain breaks at ${end.sha}, whose parent ${end.parent} is not in the store`,
      );
    }
    const added = db
      .prepare(
        `INSERT INTO branch_commits (repo_id, branch, sha, first_seen_run)
         SELECT ?, ?, sha, ? FROM temp.fp_chain WHERE true ORDER BY sha
         ON CONFLICT (repo_id, branch, sha) DO UPDATE SET removed_run = NULL WHERE removed_run IS NOT NULL`,
      )
      .run(repoId, branch, runId).changes;
    const dropped = full
      ? db
          .prepare(
            `UPDATE branch_commits SET removed_run = ? WHERE repo_id = ? AND branch = ? AND removed_run IS NULL
             AND sha NOT IN (SELECT sha FROM temp.fp_chain)`,
          )
          .run(runId, repoId, branch).changes
      : 0;
    db.exec("DELETE FROM temp.fp_chain");
    return { added, dropped };
  })();
}

export interface RewriteRecord {
  branch: string;
  oldTip: string;
  newTip: string;
  oldTipPresent: boolean;
  droppedCommits: number;
  observedAt: Date;
  previousRun: number;
}

export function recordRewrite(db: DB, repoId: number, runId: number, r: RewriteRecord): void {
  db.prepare(
    `INSERT INTO history_rewrites (repo_id, branch, old_tip, new_tip, old_tip_present, dropped_commits, observed_at, previous_run, run_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (repo_id, branch, old_tip, new_tip) DO NOTHING`,
  ).run(
    repoId,
    r.branch,
    r.oldTip,
    r.newTip,
    r.oldTipPresent ? 1 : 0,
    r.droppedCommits,
    r.observedAt.toISOString(),
    r.previousRun,
    runId,
  );
}

export function recordTips(
  db: DB,
  repoId: number,
  runId: number,
  tips: readonly { ref: string; sha: string; protected: boolean }[],
): void {
  const ins = db.prepare("INSERT INTO ref_tips (run_id, repo_id, ref, sha, protected) VALUES (?, ?, ?, ?, ?)");
  for (const t of tips) ins.run(runId, repoId, t.ref, t.sha, t.protected ? 1 : 0);
}
