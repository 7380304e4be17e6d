import { approvalEvidence, reviewRule } from "../change-rule.js";

/** C6: merged although the protection in force at the time required an approval it did not have. */
export const c6MergedWithoutRequiredReview = reviewRule(
  {
    id: "C6",
    title: "Merged without the required review",
    criteria: ["CC8.1"],
    subject: "change",
    verdicts: ["merged-without-required-review", "pass", "blocked", "n/a"],
    checks:
      "Whether a pull request was merged without the approvals the branch protection and rulesets in force at its merge required: an admin or bypass merge.",
    data: "The access and protection snapshot in force when it merged (the latest taken at or before mergedAt; when none precedes it, the earliest after, said as 'protection as first seen on <date>'): branch protection rules and active rulesets matching the branch, their required approving review count, stale-review dismissal and bypass lists; GitHub's reviewDecision and the undismissed approvals.",
    judged:
      "merged-without-required-review: the protection required N approvals and fewer than N distinct reviewers other than the author approved (on the final head when stale reviews were dismissed on push), or GitHub's reviewDecision says review was still required or changes requested. pass: the requirement was met, or the protection in force required no review (C1 still judges the review). blocked: no snapshot of the repository's protection was ever taken. n/a: a direct push (C7).",
    limits:
      "Code-owner review requirements and whether approvers had write access are not re-checked. Between two snapshots a protection change is not seen until the next one: a merge is judged by the last snapshot before it.",
  },
  (c, pr, facts) => {
    const p = c.protection;
    if (!p)
      return {
        verdict: "blocked",
        reason: `no protection snapshot of ${c.repo} was taken: GitHub access was not collected`,
      };
    const asOf =
      p.basis === "after"
        ? ` (protection as first seen on ${p.takenAt}; it may have differed at the merge)`
        : ` (snapshot of ${p.takenAt})`;
    const evidence = [
      { label: "protection in force", value: `${p.sources.join("; ") || "none"}${asOf}` },
      { label: "review decision", value: pr.reviewDecision ?? "(none)" },
      ...p.bypass.map((b) => ({ label: "could bypass", value: b })),
      ...facts.approvals.map(approvalEvidence),
    ];
    if (p.requiredApprovals === null) {
      return { verdict: "pass", reason: `the protection in force required no review${asOf}`, evidence };
    }
    const approvers = new Set(
      facts.approvals
        .filter(
          (a) =>
            !a.dismissed &&
            a.review.author !== null &&
            a.review.author !== pr.author &&
            a.review.authorKind !== "Bot" &&
            (!p.dismissesStaleReviews || a.onHead),
        )
        .map((a) => a.review.author),
    );
    const short = approvers.size < p.requiredApprovals;
    const pending = pr.reviewDecision === "REVIEW_REQUIRED" || pr.reviewDecision === "CHANGES_REQUESTED";
    if (!short && !pending) {
      return {
        verdict: "pass",
        reason: `${approvers.size} of ${p.requiredApprovals} required approvals${asOf}`,
        evidence,
      };
    }
    const why = short
      ? `${approvers.size} of ${p.requiredApprovals} required approvals`
      : `GitHub's review decision was ${pr.reviewDecision}`;
    return {
      verdict: "merged-without-required-review",
      reason: `merged by ${pr.mergedBy ?? "a deleted account"} with ${why}${asOf}`,
      evidence,
    };
  },
);
