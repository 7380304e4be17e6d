import { approvalEvidence, reviewRule } from "../change-rule.js";

/** C2: the only approvals came from the change's own authors. */
export const c2SelfApproved = reviewRule(
  {
    id: "C2",
    title: "Self-approved",
    criteria: ["CC8.1"],
    subject: "change",
    verdicts: ["self-approved", "pass", "blocked", "n/a"],
    checks:
      "Whether every approval a merged pull request received came from its author or an author, co-author or signer of its commits.",
    data: "GitHub's undismissed APPROVED reviews of the pull request, its commits' authors, co-authors and signers, and identity resolution.",
    judged:
      "self-approved: there are approvals, and every one by a person came from the pull request's own authors. pass: at least one approval came from someone else. n/a: no approval from a person (C1 says not-reviewed), or a direct push. blocked: an author resolves to no account and no approval is shown to be an author's own, so self-approval can be neither shown nor excluded.",
    limits:
      "Bot and deleted-account approvals are left out: they are neither self nor independent. An author using a second, unregistered account is not caught unless the `people:` registry joins the accounts.",
  },
  (_c, _pr, facts) => {
    const byPeople = facts.approvals.filter(
      (a) => !a.dismissed && a.review.author !== null && !/bot or service account/.test(a.notCounted ?? ""),
    );
    if (byPeople.length === 0) return { verdict: "n/a", reason: "no approval by a person" };
    const evidence = () => byPeople.map(approvalEvidence);
    const own = byPeople.filter((a) => a.notCounted !== null);
    if (own.length === byPeople.length) {
      return {
        verdict: "self-approved",
        reason: `approved only by its own authors: ${[...new Set(own.map((a) => a.review.author))].join(", ")}`,
        evidence,
      };
    }
    if (own.length === 0 && facts.unresolvedAuthors.length > 0) {
      return {
        verdict: "blocked",
        reason: `${facts.unresolvedAuthors.join(", ")} resolves to no account: whether an approver is that author cannot be shown`,
        evidence,
      };
    }
    return { verdict: "pass", reason: "approved by someone other than its authors", evidence };
  },
);
