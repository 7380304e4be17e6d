import { approvalEvidence, reviewRule, short } from "../change-rule.js";

/** C4: the pull request's branch was force-pushed after it was approved. */
export const c4ForcePushedAfterApproval = reviewRule(
  {
    id: "C4",
    title: "Force-pushed after approval",
    criteria: ["CC8.1"],
    subject: "change",
    verdicts: ["force-pushed-after-approval", "pass", "blocked", "n/a"],
    checks: "Whether the pull request's head branch was force-pushed after its first counting approval.",
    data: "GitHub's HeadRefForcePushedEvent timeline items (actor, time, before and after commits) and the submission time of the first counting approval (dismissed ones included): both are GitHub's own timestamps, not commit dates.",
    judged:
      "force-pushed-after-approval: a head force push is recorded after the first counting approval. pass: none is. n/a: no counting approval, or a direct push.",
    limits:
      "A force push GitHub did not record on the timeline (a branch deleted and re-created) is not seen here; C3 still catches a head that differs from the approved commit.",
  },
  (_c, pr, facts) => {
    const first = facts.approvals.find((a) => a.notCounted === null && a.review.submittedAt !== null);
    if (!first?.review.submittedAt) return { verdict: "n/a", reason: "no counting approval" };
    const at = first.review.submittedAt;
    const after = pr.headForcePushes.filter((f) => f.at > at);
    const evidence = () => [
      approvalEvidence(first),
      ...after.map((f) => ({
        label: "head force push",
        value: `${f.actor ?? "(deleted account)"} at ${f.at}: ${short(f.before)} -> ${short(f.after)}`,
      })),
    ];
    if (after.length === 0) return { verdict: "pass", reason: "no force push after the first approval", evidence };
    return {
      verdict: "force-pushed-after-approval",
      reason: `force-pushed by ${[...new Set(after.map((f) => f.actor ?? "(deleted account)"))].join(", ")} at ${after[0]?.at} after approval at ${at}`,
      evidence,
    };
  },
);
