import type { BaseForcePushRow } from "../../store/report-queries.js";
import { compareText } from "../../util/compare.js";
import type { Finding, Rule } from "../finding.js";
import type { Rewrite } from "../rewrites.js";

/** A force push to a pull request's base branch, as GitHub's timeline records it (who, when, from, to). */
export type BaseForcePush = BaseForcePushRow;

export interface C8Input {
  /** Rewrites of protected branches the git collector observed, in the period. */
  rewrites: readonly Rewrite[];
  /** Base-branch force pushes to protected branches GitHub recorded, in the period. */
  baseForcePushes: readonly BaseForcePush[];
}

const short = (sha: string | null): string => (sha ? sha.slice(0, 12) : "unknown");

/**
 * C8: a protected branch's history was rewritten. Git shows that it happened (the new tip no
 * longer contains the old one) and between which reads; GitHub's timeline, when a pull request
 * targeted the branch, shows who force-pushed and when. Both are joined by the tips they name.
 */
export const c8HistoryRewrite: Rule<C8Input> = {
  doc: {
    id: "C8",
    title: "History rewrite of a protected branch",
    criteria: ["CC8.1"],
    subject: "branch",
    verdicts: ["rewrite"],
    checks:
      "Whether a protected branch was force-pushed: its history rewritten so that commits it held are no longer on it.",
    data: "The git collector's tip of each protected branch at every run (a new tip that does not contain the previous one is a rewrite observed), and GitHub's BaseRefForcePushedEvent on pull requests targeting the branch (actor, time, before and after commits).",
    judged:
      "Every rewrite is a finding. A GitHub force-push event whose before or after commit is the rewrite's old or new tip names who did it and when; without one, the rewrite is dated between the last run that saw the old tip and the run that saw the new one. A force push GitHub recorded that git did not observe (rewritten back between two runs) is a finding of its own.",
    limits:
      "GitHub records base-branch force pushes only on the timelines of pull requests targeting the branch: a rewrite of a branch no pull request targeted has no actor, only the window between two reads. Commits dropped by a rewrite stay in the change population, marked as dropped.",
  },
  evaluate({ rewrites, baseForcePushes }) {
    const findings: Finding[] = [];
    const used = new Set<BaseForcePush>();
    for (const r of rewrites) {
      const push = baseForcePushes.find(
        (p) =>
          p.repo === r.repo &&
          p.branch === r.branch &&
          (p.after === r.newTip || (p.before !== null && p.before === r.oldTip)),
      );
      if (push) used.add(push);
      const when = push
        ? `force-pushed by ${push.actor ?? "a deleted account"} at ${push.at}`
        : `between ${r.notBefore ?? "the first read"} and ${r.observedAt}`;
      findings.push({
        rule: "C8",
        subject: { kind: "branch", id: `${r.repo}:${r.branch}` },
        verdict: "rewrite",
        reason: `${r.branch} rewritten from ${short(r.oldTip)} to ${short(r.newTip)}, ${r.droppedCommits} commit${r.droppedCommits === 1 ? "" : "s"} dropped, ${when}`,
        criteria: ["CC8.1"],
        evidence: [
          { label: "old tip", value: r.oldTip },
          { label: "new tip", value: r.newTip },
          { label: "commits dropped", value: String(r.droppedCommits) },
          { label: "old tip still in the repository", value: r.oldTipPresent ? "yes" : "no" },
          { label: "observed by run", value: `${r.runId} at ${r.observedAt}` },
          ...(r.notBefore ? [{ label: "not before (last read of the old tip)", value: r.notBefore }] : []),
          ...(push
            ? [
                { label: "force-pushed by", value: push.actor ?? "(deleted account)" },
                { label: "force-pushed at", value: push.at },
                { label: "seen on pull request", value: `${push.repo}#${push.pullRequest}` },
              ]
            : []),
        ],
      });
    }
    for (const p of baseForcePushes) {
      if (used.has(p)) continue;
      findings.push({
        rule: "C8",
        subject: { kind: "branch", id: `${p.repo}:${p.branch}` },
        verdict: "rewrite",
        reason: `${p.branch} force-pushed by ${p.actor ?? "a deleted account"} at ${p.at} from ${short(p.before)} to ${short(p.after)} (recorded by GitHub; not seen by a git read)`,
        criteria: ["CC8.1"],
        evidence: [
          { label: "force-pushed by", value: p.actor ?? "(deleted account)" },
          { label: "force-pushed at", value: p.at },
          { label: "before", value: p.before ?? "unknown" },
          { label: "after", value: p.after ?? "unknown" },
          { label: "seen on pull request", value: `${p.repo}#${p.pullRequest}` },
        ],
      });
    }
    return findings.sort((a, b) => compareText(a.subject.id, b.subject.id) || a.reason.localeCompare(b.reason));
  },
};
