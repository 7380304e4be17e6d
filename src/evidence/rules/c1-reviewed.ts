import { approvalEvidence, BLOCKED_NOTE, reviewRule, short } from "../change-rule.js";
import { standing } from "../review-facts.js";

/** C1: the change was reviewed by someone independent of it, on the commit that was merged. */
export const c1Reviewed = reviewRule(
  {
    id: "C1",
    title: "Reviewed by someone independent, on the final commit",
    criteria: ["CC8.1"],
    subject: "change",
    verdicts: ["reviewed", "not-reviewed", "blocked", "n/a"],
    checks:
      "Whether a merged pull request has at least one APPROVED, undismissed review given on its final head commit by someone other than its author, every author and co-author of its commits, and every signer of them.",
    data: "GitHub's reviews of the pull request (author, state, and the commit each was given on; when the store saw a review on an earlier commit before GitHub re-pointed it, the earliest), its dismissal events, its commits with their authors (Co-authored-by included) and signers, and identity resolution (GitHub's commit identities and the `people:` registry).",
    judged:
      "reviewed: a counting approval was given on the final head commit. not-reviewed: none was (no approval, only approvals that do not count, or approvals on earlier commits). An approval does not count when a bot, a service account or a deleted account gave it, or when its giver is the pull request's author or an author, co-author or signer of its commits (naming someone else as author does not let the signer approve their own work). Approvals on other pull requests that carry the same commits are not this pull request's and never count. blocked: a counting approval exists but a commit author or co-author resolves to no account or person, so its independence cannot be shown (listed under unresolved identities). n/a: a direct push (C7).",
    limits: `Whether the approver had write access is not checked here (GitHub's own count, C6, does). Freshness is judged by the commit the approval names, never by commit dates. ${BLOCKED_NOTE}`,
  },
  (_c, pr, facts) => {
    const counting = standing(facts);
    const onHead = counting.filter((a) => a.onHead);
    const evidence = () => facts.approvals.map(approvalEvidence);
    if (onHead.length > 0) {
      if (facts.unresolvedAuthors.length > 0) {
        return {
          verdict: "blocked",
          reason: `approved on the final head by ${names(onHead)}, but ${facts.unresolvedAuthors.join(", ")} resolves to no account: independence cannot be shown`,
          evidence: () => [
            ...evidence(),
            ...facts.unresolvedAuthors.map((u) => ({ label: "unresolved author", value: u })),
          ],
        };
      }
      return {
        verdict: "reviewed",
        reason: `approved on the final head ${short(pr.headOid)} by ${names(onHead)}`,
        evidence,
      };
    }
    let why: string;
    if (facts.approvals.length === 0) why = "no approval";
    else if (counting.length > 0 && counting.every((a) => a.review.commit === null)) {
      why = `approved by ${names(counting)}, but the approval names no commit, so it cannot be shown on the final head ${short(pr.headOid)}`;
    } else if (counting.length > 0) {
      why = `approved by ${names(counting)} on an earlier commit, not on the final head ${short(pr.headOid)}`;
    } else if (facts.approvals.every((a) => a.notCounted !== null)) {
      why = `no approval that counts (${facts.approvals.map((a) => a.notCounted).join("; ")})`;
    } else why = "every counting approval was dismissed";
    return { verdict: "not-reviewed", reason: why, evidence };
  },
);

const names = (list: readonly { review: { author: string | null } }[]): string =>
  [...new Set(list.map((a) => a.review.author ?? "(deleted account)"))].join(", ");
