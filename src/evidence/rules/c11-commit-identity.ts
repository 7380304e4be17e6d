import { changeRule, short } from "../change-rule.js";
import type { Evidence } from "../finding.js";
import { identText } from "../ident.js";
import type { LandedCommit, Population } from "../population.js";

/** C11: the commits a change put on the branch are signed, verified, and by known people. */
function judgeCommit(c: LandedCommit, pop: Population): { problems: string[]; unknown: string[] } {
  const problems: string[] = [];
  const unknown: string[] = [];
  const v = c.verification;
  if (v === null) {
    if (c.signature === null) problems.push(`${short(c.sha)} unsigned`);
    else unknown.push(`${short(c.sha)} signed (${c.signature}) but not verified by GitHub (not read from GitHub)`);
  } else if (v.valid !== true) {
    problems.push(
      v.state === "UNSIGNED" || (c.signature === null && v.state === null)
        ? `${short(c.sha)} unsigned`
        : `${short(c.sha)} unverified (${v.state ?? "invalid"})`,
    );
  }
  for (const a of c.authors) {
    const who = pop.identities.resolveIdent(a);
    if (!who) problems.push(`${short(c.sha)} by unknown author ${identText(a)}`);
    else if (who.source === "github" && !who.service && pop.members !== null) {
      if (!who.logins.some((l) => pop.members?.has(l.toLowerCase()))) {
        problems.push(`${short(c.sha)} by ${identText(a)} (${who.name}), not an organisation member`);
      }
    }
  }
  return { problems, unknown };
}

export const c11CommitIdentity = changeRule(
  {
    id: "C11",
    title: "Unsigned, unverified or unknown-author commits",
    criteria: ["CC8.1"],
    subject: "change",
    verdicts: ["exception", "pass", "blocked"],
    checks:
      "Whether every commit a change put on the protected branch carries a signature GitHub verified, and an author who resolves to a known organisation member, person in the registry, or service account.",
    data: "The commits a change put on the branch (a merge-commit merge: the pull request's commits and the merge commit; a squash: the squash commit; a rebase merge: the re-created commits; a direct push: the commit), GitHub's signature verification of each (state, validity, signer; GitHub's web-flow signature counts when GitHub verified it), their authors and Co-authored-by, identity resolution and the organisation's members in the period's last snapshot.",
    judged:
      "exception: a commit is unsigned, its signature is not verified by GitHub, or an author resolves to nobody or to an account that is not an organisation member; the reason lists which. pass: none of these. blocked: GitHub did not read a signed commit (GitHub not collected, or the commit not yet read) so its signature cannot be shown verified, or no commit of the change is in the history read.",
    limits:
      "Git identities are free text: an author email GitHub does not tie to an account is unknown unless the `people:` registry names it. GitHub's rebase merge re-creates commits without signing them, so rebase merges are exceptions when signatures are expected. Members are known only from an organisation snapshot; without one, any GitHub account counts as known.",
  },
  (c, pop) => {
    if (c.commits.length === 0) {
      return { verdict: "blocked", reason: "none of its commits is in the protected branch's history as git read it" };
    }
    const judged = c.commits.map((x) => judgeCommit(x, pop));
    const problems = judged.flatMap((j) => j.problems);
    const unknown = judged.flatMap((j) => j.unknown);
    const evidence = (): Evidence[] => [
      ...problems.map((p) => ({ label: "commit", value: p })),
      ...unknown.map((u) => ({ label: "not verified", value: u })),
      { label: "commits judged", value: c.commits.map((x) => short(x.sha)).join(", ") },
    ];
    if (problems.length > 0) return { verdict: "exception", reason: cap(problems), evidence };
    if (unknown.length > 0) return { verdict: "blocked", reason: cap(unknown), evidence };
    return {
      verdict: "pass",
      reason: `${c.commits.length === 1 ? "its commit is" : `all ${c.commits.length} commits are`} signed, verified, and by known authors`,
      evidence,
    };
  },
);

const cap = (list: readonly string[]): string =>
  list.length <= 3 ? list.join("; ") : `${list.slice(0, 3).join("; ")}; and ${list.length - 3} more`;
