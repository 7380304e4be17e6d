import type { CommitRecord } from "../collectors/git/raw-commit.js";
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

export function commitWriter(db: DB, repoId: number, runId: number): (batch: readonly CommitRecord[]) => number {
  const insertCommit = db.prepare(
    `INSERT INTO commits (repo_id, sha, tree, parents, author_name, author_email, author_time, author_tz,
       committer_name, committer_email, committer_time, committer_tz, subject, message, signature, run_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (repo_id, sha) DO NOTHING`,
  );
  const insertTrailer = db.prepare("INSERT INTO commit_trailers (commit_id, seq, key, value) VALUES (?, ?, ?, ?)");
  return db.transaction((batch: readonly CommitRecord[]) => {
    let added = 0;
    for (const c of batch) {
      const r = insertCommit.run(
        repoId,
        c.sha,
        c.tree,
        c.parents.join(" "),
        c.author.name,
        c.author.email,
        c.author.time,
        c.author.tz,
        c.committer.name,
        c.committer.email,
        c.committer.time,
        c.committer.tz,
        c.subject,
        c.message,
        c.signature,
        runId,
      );
      if (r.changes === 0) continue;
      added++;
      const id = r.lastInsertRowid;
      for (const [seq, t] of c.trailers.entries()) insertTrailer.run(id, seq, t.key, t.value);
    }
    return added;
  });
}

export function countCommits(db: DB, repoId: number): number {
  return (db.prepare("SELECT count(*) AS n FROM commits WHERE repo_id = ?").get(repoId) as { n: number }).n;
}

/** Adds first-parent members of a branch (re-adding one a rewrite had dropped). */
export function branchMemberWriter(
  db: DB,
  repoId: number,
  branch: string,
  runId: number,
): (shas: readonly string[]) => number {
  const ins = db.prepare(
    `INSERT INTO branch_commits (repo_id, branch, sha, first_seen_run) VALUES (?, ?, ?, ?)
     ON CONFLICT (repo_id, branch, sha) DO UPDATE SET removed_run = NULL WHERE removed_run IS NOT NULL`,
  );
  return db.transaction((shas: readonly string[]) => {
    let n = 0;
    for (const s of shas) n += ins.run(repoId, branch, s, runId).changes;
    return n;
  });
}

/** After a rewrite: members not in `current` (the new first-parent chain) are marked removed. */
export function markDroppedMembers(
  db: DB,
  repoId: number,
  branch: string,
  runId: number,
  current: ReadonlySet<string>,
): number {
  const live = db
    .prepare("SELECT sha FROM branch_commits WHERE repo_id = ? AND branch = ? AND removed_run IS NULL")
    .all(repoId, branch) as { sha: string }[];
  const mark = db.prepare("UPDATE branch_commits SET removed_run = ? WHERE repo_id = ? AND branch = ? AND sha = ?");
  return db.transaction(() => {
    let n = 0;
    for (const { sha } of live) {
      if (!current.has(sha)) n += mark.run(runId, repoId, branch, sha).changes;
    }
    return n;
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
