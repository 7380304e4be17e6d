import type { Finding, Rule } from "../finding.js";
import type { BranchReconciliation } from "../reconciliation.js";

/** What P1 judges: the coverage's gaps and the population reconciliation per protected branch. */
export interface P1Input {
  gaps: readonly string[];
  reconciliation: readonly BranchReconciliation[];
}

/** The reconciliation of one branch in one sentence. */
export function reconciliationText(r: BranchReconciliation): string {
  const parts = [
    `${r.byPullRequests} landed by merged pull requests`,
    `${r.byPushes} by direct pushes`,
    ...(r.otherPeriods > 0 ? [`${r.otherPeriods} by changes of other periods`] : []),
  ];
  const also = [
    ...(r.datedOutside > 0 ? [`${r.datedOutside} of its changes' commits dated outside the period`] : []),
    ...(r.dropped > 0 ? [`${r.dropped} dropped from the branch by a rewrite`] : []),
  ];
  return `git counts ${r.gitCount} first-parent commit${r.gitCount === 1 ? "" : "s"} on ${r.repo}:${r.branch} in the period: ${parts.join(", ")}${also.length > 0 ? `; the population also holds ${also.join(" and ")}` : ""} (${r.changes} change${r.changes === 1 ? "" : "s"})`;
}

/**
 * P1: how complete the evidence is. Every gap the coverage found (a source not collected, not
 * often enough, failed, history a cluster dropped, what the credentials could not read) is an
 * exception; each protected branch's population is reconciled with what git counts.
 */
export const p1Completeness: Rule<P1Input> = {
  doc: {
    id: "P1",
    title: "Completeness of the evidence",
    criteria: ["CC7.1", "CC8.1"],
    subject: "source",
    verdicts: ["exception", "note", "pass"],
    checks:
      "Whether the evidence covers the whole period: every source collected through it, nothing dropped by a cluster before it was read, the run ledger intact, and every first-parent commit of a protected branch accounted for by a change.",
    data: "The collection runs (scope, status, times) and the run ledger, the reconciler history gaps, and per protected branch the first-parent commits git harvested with their committer dates, beside the period's change population.",
    judged:
      "Each gap is an exception naming what is missing and since when. Per protected branch, the first-parent commits with a committer date in the period that are still on the branch (what the git command counts) are split into those the period's merged pull requests landed, its direct pushes, and changes of other periods; the commits of the period's changes dated outside it and those a rewrite dropped are stated beside. The statement is a pass when git's count is wholly the period's changes, else a note explaining the difference.",
    limits:
      "git's --since and --until filter by committer date, which anyone can set: a commit pushed in the period with a date outside it is counted by the population (landed when first seen), not by the command, and said so. The command counts what a clone holds now; commits a rewrite dropped are gone from it.",
  },
  evaluate({ gaps, reconciliation }) {
    const criteria = p1Completeness.doc.criteria;
    return [
      ...gaps.map(
        (g): Finding => ({
          rule: "P1",
          subject: { kind: "source", id: "coverage" },
          verdict: "exception",
          reason: g,
          criteria,
          evidence: [],
        }),
      ),
      ...reconciliation.map(
        (r): Finding => ({
          rule: "P1",
          subject: { kind: "branch", id: `${r.repo}:${r.branch}` },
          verdict: r.otherPeriods + r.datedOutside + r.dropped > 0 ? "note" : "pass",
          reason: reconciliationText(r),
          criteria,
          evidence: [{ label: "recount with", value: r.command }],
        }),
      ),
    ];
  },
};
