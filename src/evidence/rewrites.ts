import type { RewriteRow } from "../store/report-queries.js";

/** A protected branch's history rewrite the git collector observed (C8's git input). */
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
