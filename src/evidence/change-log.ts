import type { BranchCommitRow, RewriteRow, TrailerRow } from "../store/report-queries.js";
import { parseIdentity } from "../util/identity.js";

/**
 * The period's change log from git alone. A first-parent commit with two or more parents is a
 * merge (a pull request merged with a merge commit, as far as git can tell); one with a single
 * parent is a direct push unless GitHub's data later ties it to a pull request (squash and
 * rebase merges look the same in git). A "(#123)" in a subject is shown as a claim, never as
 * proof: anyone pushing directly can write it.
 */

export type ChangeKind = "merge" | "single-parent";

export interface Change {
  repo: string;
  branch: string;
  sha: string;
  kind: ChangeKind;
  subject: string;
  author: { name: string; email: string };
  authoredAt: string;
  committer: { name: string; email: string };
  committedAt: string;
  /** When changeproof first saw it on the branch (the latest it can have landed), and in which run. */
  firstSeenAt: string;
  firstSeenRun: number;
  coAuthors: { name: string; email: string }[];
  signedOffBy: string[];
  signature: string | null;
  /** A pull request number named in the subject: unverified until GitHub confirms it. */
  claimedPullRequest: number | null;
  /** When a history rewrite dropped it from the branch, if one did, and the run that saw it. */
  removedAt: string | null;
  removedRun: number | null;
}

export interface BranchLog {
  repo: string;
  branch: string;
  changes: Change[];
  merges: number;
  singleParent: number;
  removed: number;
}

const iso = (sec: number): string => new Date(sec * 1000).toISOString();

export function claimedPullRequest(kind: ChangeKind, subject: string): number | null {
  const m = kind === "merge" ? /^Merge pull request #(\d+)\b/.exec(subject) : /\(#(\d+)\)\s*$/.exec(subject);
  return m?.[1] ? Number(m[1]) : null;
}

export function toChange(row: BranchCommitRow, trailers: readonly TrailerRow[]): Change {
  const kind: ChangeKind = row.parents.split(" ").filter(Boolean).length > 1 ? "merge" : "single-parent";
  const mine = trailers.filter((t) => t.sha === row.sha && t.repo === row.repo);
  const coAuthors = mine
    .filter((t) => t.key.toLowerCase() === "co-authored-by")
    .map((t) => parseIdentity(t.value) ?? { name: t.value, email: "" });
  return {
    repo: row.repo,
    branch: row.branch,
    sha: row.sha,
    kind,
    subject: row.subject,
    author: { name: row.author_name, email: row.author_email },
    authoredAt: iso(row.author_time),
    committer: { name: row.committer_name, email: row.committer_email },
    committedAt: iso(row.committer_time),
    firstSeenAt: row.first_seen_at,
    firstSeenRun: row.first_seen_run,
    coAuthors,
    signedOffBy: mine.filter((t) => t.key.toLowerCase() === "signed-off-by").map((t) => t.value),
    signature: row.signature,
    claimedPullRequest: claimedPullRequest(kind, row.subject),
    removedAt: row.removed_at,
    removedRun: row.removed_run,
  };
}

/** Groups changes per repo and branch, in a stable order (repo, branch, commit time, sha). */
export function changeLog(rows: readonly BranchCommitRow[], trailers: readonly TrailerRow[]): BranchLog[] {
  const byKey = new Map<string, BranchLog>();
  for (const row of rows) {
    const key = `${row.repo}\u0000${row.branch}`;
    let log = byKey.get(key);
    if (!log) {
      log = { repo: row.repo, branch: row.branch, changes: [], merges: 0, singleParent: 0, removed: 0 };
      byKey.set(key, log);
    }
    const c = toChange(row, trailers);
    log.changes.push(c);
    if (c.kind === "merge") log.merges++;
    else log.singleParent++;
    if (c.removedAt) log.removed++;
  }
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const logs = [...byKey.values()].sort((a, b) => cmp(a.repo, b.repo) || cmp(a.branch, b.branch));
  for (const l of logs) l.changes.sort((a, b) => cmp(a.committedAt, b.committedAt) || cmp(a.sha, b.sha));
  return logs;
}

export interface Rewrite {
  repo: string;
  branch: string;
  oldTip: string;
  newTip: string;
  oldTipPresent: boolean;
  droppedCommits: number;
  observedAt: string;
  /** The rewrite happened after this (the previous run that saw the old tip). */
  notBefore: string | null;
  /** The run that observed it. */
  runId: number;
}

export function rewrites(rows: readonly RewriteRow[]): Rewrite[] {
  return rows.map((r) => ({
    repo: r.repo,
    branch: r.branch,
    oldTip: r.old_tip,
    newTip: r.new_tip,
    oldTipPresent: r.old_tip_present === 1,
    droppedCommits: r.dropped_commits,
    observedAt: r.observed_at,
    notBefore: r.previous_run_finished_at,
    runId: r.run_id,
  }));
}
