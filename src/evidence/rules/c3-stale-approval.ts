import { approvalEvidence, reviewRule, short } from "../change-rule.js";
import { standing } from "../review-facts.js";

/** C3: approved, but not on the commit that was merged. */
export const c3StaleApproval = reviewRule(
  {
    id: "C3",
    title: "Stale approval",
    criteria: ["CC8.1"],
    subject: "change",
    verdicts: ["stale", "pass", "blocked", "n/a"],
    checks:
      "Whether a pull request's counting approvals were all given on commits other than its final head: commits were pushed after the approval.",
    data: "The commit each review was given on (GitHub's review commit; the earliest the store saw, because GitHub has been seen to re-point a review to a later head after 'update branch' merges and content-free force pushes) and the pull request's final head commit.",
    judged:
      "stale: counting approvals exist and none names the final head commit; an approval that names no commit cannot be shown on the head and counts as stale. pass: one names the final head (a re-approval on the new head passes). n/a: no counting approval, or a direct push.",
    limits:
      "Judged by the reviewed commit, never by commit dates: a backdated commit pushed after the approval still makes it stale. A head that changed only by an 'update branch' merge from the base is still a new head.",
  },
  (_c, pr, facts) => {
    const counting = standing(facts);
    if (counting.length === 0) return { verdict: "n/a", reason: "no counting approval" };
    const evidence = () => counting.map(approvalEvidence);
    if (counting.some((a) => a.onHead))
      return { verdict: "pass", reason: `approved on the final head ${short(pr.headOid)}`, evidence };
    const none = counting.filter((a) => a.review.commit === null);
    return {
      verdict: "stale",
      reason:
        none.length === counting.length
          ? "its approvals name no commit, so none can be shown on the final head"
          : `approved on ${[...new Set(counting.map((a) => short(a.review.commit)))].join(", ")}; the final head is ${short(pr.headOid)}`,
      evidence,
    };
  },
);
