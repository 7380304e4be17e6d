import type { DB } from "./db.js";

/** What C12 reads: the images GitOps commits write, and the application commits and tags they name. */

export interface ImageRefQueryRow {
  sha: string;
  image: string | null;
  tag: string | null;
  digest: string | null;
  source: "diff" | "message";
  file: string | null;
}

/** The image references the given commits of a repository write, in each commit's order. */
export function imageRefsOf(db: DB, repoId: number, shas: readonly string[]): ImageRefQueryRow[] {
  const q = db.prepare(
    "SELECT sha, image, tag, digest, source, file FROM commit_image_refs WHERE repo_id = ? AND sha = ? ORDER BY seq",
  );
  return shas.flatMap((sha) => q.all(repoId, sha) as ImageRefQueryRow[]);
}

export interface ImageScanRow {
  sha: string;
  refs: number;
  other_lines: number;
  unreadable: number;
  truncated: number;
}

/** How each of the given commits was read for image references (absent: not read yet). */
export function imageScansOf(db: DB, repoId: number, shas: readonly string[]): ImageScanRow[] {
  const q = db.prepare(
    "SELECT sha, refs, other_lines, unreadable, truncated FROM commit_image_scans WHERE repo_id = ? AND sha = ?",
  );
  return shas.flatMap((sha) => {
    const row = q.get(repoId, sha) as ImageScanRow | undefined;
    return row ? [row] : [];
  });
}

/** The repository's commits whose id starts with `prefix` (lower-case hex), at most `limit`. */
export function commitsByPrefix(db: DB, repoId: number, prefix: string, limit: number): string[] {
  return (
    db
      .prepare("SELECT sha FROM commits WHERE repo_id = ? AND sha >= ? AND sha < ? ORDER BY sha LIMIT ?")
      .all(repoId, prefix, `${prefix}g`, limit) as { sha: string }[]
  ).map((r) => r.sha);
}

/** The commits the repository's tags of these names ever pointed to. */
export function tagCommits(db: DB, repoId: number, names: readonly string[]): { name: string; sha: string }[] {
  const q = db.prepare("SELECT name, sha FROM git_tags WHERE repo_id = ? AND name = ? ORDER BY sha");
  return names.flatMap((n) => q.all(repoId, n) as { name: string; sha: string }[]);
}

/**
 * When the change that landed a commit landed, to rebuild it: the merge of the pull request into a
 * protected branch that holds it (as its merge commit or among its own commits, or as GitHub
 * associates it), else the commit's own push onto a protected branch. null: nothing landed it.
 */
export function landingOf(db: DB, repoId: number, sha: string): { at: string; by: string; pr: number | null } | null {
  const pr = db
    .prepare(
      `SELECT p.number, p.merged_at FROM gh_pull_requests p
       WHERE p.repo_id = :repo AND p.state = 'MERGED' AND p.merged_at IS NOT NULL AND p.number IN (
         SELECT m.number FROM gh_pull_requests m WHERE m.repo_id = :repo AND m.merge_commit = :sha
         UNION SELECT c.pr_number FROM gh_pr_commits c WHERE c.repo_id = :repo AND c.oid = :sha
         UNION SELECT j.value FROM gh_commit_lookups l, json_each(l.pull_requests) j WHERE l.repo_id = :repo AND l.oid = :sha)
       ORDER BY p.merged_at, p.number LIMIT 1`,
    )
    .get({ repo: repoId, sha }) as { number: number; merged_at: string } | undefined;
  if (pr) return { at: pr.merged_at, by: `pull request #${pr.number}`, pr: pr.number };
  // On a protected branch (each looked up by its key) with no pull request: a push.
  const branches = (
    db
      .prepare(
        "SELECT DISTINCT substr(ref, 12) AS branch FROM ref_tips WHERE repo_id = ? AND protected = 1 AND ref LIKE 'refs/heads/%'",
      )
      .all(repoId) as { branch: string }[]
  ).map((b) => b.branch);
  const onBranch = db.prepare(
    `SELECT c.committer_time FROM branch_commits b JOIN commits c ON c.repo_id = b.repo_id AND c.sha = b.sha
     WHERE b.repo_id = ? AND b.branch = ? AND b.sha = ?`,
  );
  for (const branch of branches) {
    const pushed = onBranch.get(repoId, branch, sha) as { committer_time: number } | undefined;
    if (pushed) return { at: new Date(pushed.committer_time * 1000).toISOString(), by: "a push", pr: null };
  }
  return null;
}
