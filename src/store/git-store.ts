import type { RepoRole } from "../config/schema.js";
import type { DB } from "./db.js";
import { STAGE_COLUMNS } from "./stage-schema.js";

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

/**
 * Commits arrive in a scratch stage file written by the reading thread (see stage-file.ts) and
 * are merged into `commits` by one INSERT ... SELECT per STAGE_LIMIT rows, each its own
 * transaction, while the reader stages the next ones: SQLite does the row and index work in C,
 * on this thread, as the other thread parses. A crash loses at most the rows not yet merged,
 * which the next run reads again from git: ref tips only advance when a run succeeds.
 */
export const STAGE_LIMIT = 25_000;

export interface StageMerger {
  /** Rows up to `upto` are staged; merges them once enough have accumulated. */
  staged(upto: number): void;
  /** Merges what is left and detaches the stage; returns the new commits and memberships. */
  finish(): { added: number; members: number };
  /** Detaches the stage without merging the rest (the run failed); merged chunks stay. */
  abort(): void;
}

export function stageMerger(db: DB, stageFile: string, repoId: number, runId: number): StageMerger {
  db.prepare("ATTACH DATABASE ? AS stage").run(stageFile);
  const merge = db.prepare(
    `INSERT INTO main.commits (repo_id, ${STAGE_COLUMNS}, run_id)
     SELECT @repo, ${STAGE_COLUMNS}, @run FROM stage.rows WHERE rowid > @from AND rowid <= @to
     ON CONFLICT (repo_id, sha) DO NOTHING`,
  );
  const mergeMembers = db.prepare(
    `INSERT INTO main.branch_commits (repo_id, branch, sha, first_seen_run)
     SELECT @repo, b.value, s.sha, @run FROM stage.rows s, json_each(s.fp_branches) b
     WHERE s.rowid > @from AND s.rowid <= @to AND s.fp_branches IS NOT NULL
     ON CONFLICT (repo_id, branch, sha) DO UPDATE SET removed_run = NULL WHERE removed_run IS NOT NULL`,
  );
  let merged = 0;
  let latest = 0;
  let added = 0;
  let members = 0;
  let attached = true;
  const mergeTo = db.transaction((to: number) => {
    const range = { repo: repoId, run: runId, from: merged, to };
    added += merge.run(range).changes;
    members += mergeMembers.run(range).changes;
    merged = to;
  });
  const detach = (): void => {
    if (attached) db.exec("DETACH DATABASE stage");
    attached = false;
  };
  return {
    staged(upto) {
      latest = Math.max(latest, upto);
      if (latest - merged >= STAGE_LIMIT) mergeTo(latest);
    },
    finish() {
      if (latest > merged) mergeTo(latest);
      detach();
      return { added, members };
    },
    abort: detach,
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
  return db
    .transaction((): FirstParentSync => {
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
    })
    .immediate();
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

/** A GitOps commit not yet read for image references, with its message. */
export interface UnscannedCommit {
  id: number;
  sha: string;
  message: string;
}

/** The repository's commits stored after `afterId` and not yet read for image references, in store order. */
export function unscannedImageCommits(db: DB, repoId: number, afterId: number, limit: number): UnscannedCommit[] {
  return db
    .prepare(
      `SELECT c.id, c.sha, c.message FROM commits c
         WHERE c.repo_id = ? AND c.id > ?
           AND NOT EXISTS (SELECT 1 FROM commit_image_scans s WHERE s.repo_id = c.repo_id AND s.sha = c.sha)
         ORDER BY c.id LIMIT ?`,
    )
    .all(repoId, afterId, limit) as UnscannedCommit[];
}

export interface ImageRefRow {
  image: string | null;
  tag: string | null;
  digest: string | null;
  source: "diff" | "message";
  file: string | null;
}

/** The image references of a batch of commits, each commit marked read (in one transaction). */
export function recordImageRefs(
  db: DB,
  repoId: number,
  runId: number,
  batch: readonly {
    sha: string;
    refs: readonly ImageRefRow[];
    otherLines: number;
    unreadable: number;
    truncated: boolean;
  }[],
): number {
  const ins = db.prepare(
    "INSERT OR IGNORE INTO commit_image_refs (repo_id, sha, seq, image, tag, digest, source, file) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const scanned = db.prepare(
    `INSERT OR IGNORE INTO commit_image_scans (repo_id, sha, refs, other_lines, unreadable, truncated, run_id)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  let n = 0;
  db.transaction(() => {
    for (const c of batch) {
      c.refs.forEach((r, seq) => {
        ins.run(repoId, c.sha, seq, r.image, r.tag, r.digest, r.source, r.file);
      });
      scanned.run(repoId, c.sha, c.refs.length, c.otherLines, c.unreadable, c.truncated ? 1 : 0, runId);
      n += c.refs.length;
    }
  })();
  return n;
}

/** The repository's tags as a run saw them: new (name, commit) pairs added, seen ones stamped. */
export function recordTags(db: DB, repoId: number, runId: number, tags: ReadonlyMap<string, string>): void {
  const upsert = db.prepare(
    `INSERT INTO git_tags (repo_id, name, sha, first_run_id, last_run_id) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (repo_id, name, sha) DO UPDATE SET last_run_id = excluded.last_run_id`,
  );
  db.transaction(() => {
    for (const [name, sha] of tags) upsert.run(repoId, name, sha, runId, runId);
  })();
}
