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
      "merged-without-required-review: the protection required N approvals and fewer than N reviewers other than the author (bots aside) had an approval as their latest review (on the final head when stale reviews were dismissed on push), or a reviewer's latest review still requested changes: counted as GitHub counts. pass: the requirement was met, or the protection in force required no review (C1 still judges the review). blocked: no snapshot of the repository's protection was ever taken, or a ruleset could not be evaluated (one targeting the default branch when the repository's default branch is not known). n/a: a direct push (C7). GitHub's reviewDecision is shown as evidence only: GitHub computes it against today's protection, not the protection at the merge.",
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
    const evidence = () => [
      { label: "protection in force", value: `${p.sources.join("; ") || "none"}${asOf}` },
      { label: "review decision", value: pr.reviewDecision ?? "(none)" },
      ...p.bypass.map((b) => ({ label: "could bypass", value: b })),
      ...facts.approvals.map(approvalEvidence),
    ];
    if (p.requiredApprovals === null) {
      if (p.caveats.length > 0) return { verdict: "blocked", reason: p.caveats.join("; "), evidence };
      return { verdict: "pass", reason: `the protection in force required no review${asOf}`, evidence };
    }
    // GitHub's own count: each reviewer's latest approving or change-requesting review decides.
    const latest = new Map<string, { state: string; onHead: boolean; bot: boolean }>();
    // Reviews come in submission order: a later one of the same reviewer replaces an earlier.
    for (const r of pr.reviews) {
      if (r.author === null || !["APPROVED", "CHANGES_REQUESTED", "DISMISSED"].includes(r.state)) continue;
      latest.set(r.author, { state: r.state, onHead: r.commit === pr.headOid, bot: r.authorKind === "Bot" });
    }
    const approvers = [...latest].filter(
      ([who, l]) => l.state === "APPROVED" && who !== pr.author && !l.bot && (!p.dismissesStaleReviews || l.onHead),
    );
    const changesRequested = [...latest].filter(([, l]) => l.state === "CHANGES_REQUESTED").map(([who]) => who);
    const tooFew = approvers.length < p.requiredApprovals;
    if (!tooFew && changesRequested.length === 0) {
      return {
        verdict: "pass",
        reason: `${approvers.length} of ${p.requiredApprovals} required approvals${asOf}`,
        evidence,
      };
    }
    const why = tooFew
      ? `${approvers.length} of ${p.requiredApprovals} required approvals`
      : `changes requested by ${changesRequested.join(", ")} outstanding`;
    return {
      verdict: "merged-without-required-review",
      reason: `merged by ${pr.mergedBy ?? "a deleted account"} with ${why}${asOf}`,
      evidence,
    };
  },
);
