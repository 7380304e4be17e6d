import { changeRule } from "../change-rule.js";
import { identText } from "../ident.js";

/** C7: a commit landed on a protected branch without a merged pull request. */
export const c7DirectPush = changeRule(
  {
    id: "C7",
    title: "Direct push to a protected branch",
    criteria: ["CC8.1"],
    subject: "change",
    verdicts: ["direct-push", "pass", "blocked"],
    checks:
      "Whether a first-parent commit of a protected branch was put there by something other than a merged pull request into that branch.",
    data: "The git collector's first-parent history of each protected branch, GitHub's merged pull requests (merge commits and their own commits) and GitHub's associatedPullRequests for every other commit (squash and rebase merges map back to their pull request there).",
    judged:
      "direct-push: GitHub associates the commit with no merged pull request into the branch; the committer as git records it, and the account GitHub ties to it, are named. Every direct push is flagged, a person's or a bot's (a bot's push to a GitOps repository is then judged by C12). pass: a merged pull request landed it. blocked: GitHub was not collected for the repository, or has not yet been asked about the commit, so a squash or rebase merge cannot be told from a push.",
    limits:
      "GitHub does not record who pushed: the committer is what the commit says, and GitHub's account for its email. A commit reviewed in a pull request into another branch and pushed here directly is a direct push.",
  },
  (c) => {
    if (c.kind === "unknown") return { verdict: "blocked", reason: c.blocked ?? "GitHub's data cannot judge it" };
    if (c.kind !== "direct-push") return { verdict: "pass", reason: `landed by pull request #${c.pr?.number}` };
    const committer = c.mergedBy;
    const author = c.commits[0]?.authors[0] ?? null;
    const text = (i: typeof committer): string =>
      i ? `${identText(i)}${i.login ? ` (GitHub account ${i.login})` : ""}` : "(unknown)";
    // GitHub's web editor commits as web-flow: the person is the author.
    const viaWeb = committer?.login === "web-flow" || committer?.email === "noreply@github.com";
    const who = viaWeb ? `${text(author)} in GitHub's web editor` : text(committer);
    return {
      verdict: "direct-push",
      reason: `committed directly to ${c.branch} by ${who}`,
      evidence: () => [
        { label: "committer", value: text(committer) },
        { label: "author", value: text(author) },
      ],
    };
  },
);
