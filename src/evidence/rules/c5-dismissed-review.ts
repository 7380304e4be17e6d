import { approvalEvidence, reviewRule } from "../change-rule.js";

/** C5: a counting approval was dismissed and nobody approved again. */
export const c5DismissedReview = reviewRule(
  {
    id: "C5",
    title: "Dismissed review not replaced",
    criteria: ["CC8.1"],
    subject: "change",
    verdicts: ["dismissed-not-replaced", "pass", "blocked", "n/a"],
    checks:
      "Whether a counting approval of the pull request was dismissed and no counting approval was given after the dismissal.",
    data: "GitHub's reviews in state DISMISSED and the ReviewDismissedEvent timeline items that dismissed them (who, when, the state before: APPROVED).",
    judged:
      "dismissed-not-replaced: a dismissed counting approval has no undismissed counting approval submitted after its dismissal. pass: every dismissed approval was replaced, or none was dismissed. n/a: a direct push.",
    limits:
      "A dismissed review whose dismissal event GitHub no longer lists cannot be told from a dismissed change request, and is not judged.",
  },
  (_c, _pr, facts) => {
    const dismissed = facts.approvals.filter((a) => a.dismissed && a.notCounted === null);
    if (dismissed.length === 0) return { verdict: "pass", reason: "no approval was dismissed" };
    const standingAfter = (at: string): boolean =>
      facts.approvals.some((a) => !a.dismissed && a.notCounted === null && (a.review.submittedAt ?? "") > at);
    const open = dismissed.filter((d) => !standingAfter(d.review.dismissal?.at ?? d.review.submittedAt ?? ""));
    const evidence = () => facts.approvals.map(approvalEvidence);
    if (open.length === 0)
      return { verdict: "pass", reason: "every dismissed approval was replaced by a later one", evidence };
    return {
      verdict: "dismissed-not-replaced",
      reason: `approval by ${open.map((d) => d.review.author).join(", ")} dismissed${open[0]?.review.dismissal ? ` by ${open[0].review.dismissal.by ?? "a deleted account"}` : ""} and not replaced`,
      evidence,
    };
  },
);
