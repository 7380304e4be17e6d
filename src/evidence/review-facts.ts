import { type Ident, identText } from "./ident.js";
import type { Identities, Party } from "./identities.js";
import type { Change, LandedCommit, PullRequestFacts, ReviewRecord } from "./population.js";

/**
 * What every review rule (C1-C6) reads of a pull request's reviews, derived once: who its
 * authors are (the pull request's author, every author and co-author of its commits, every
 * signer), and for each approval whether it counts and whether it was given on the final head.
 * An approval counts when a person independent of every author gave it: bots, service accounts
 * and deleted ("ghost") accounts never count.
 */

export interface JudgedApproval {
  review: ReviewRecord;
  /** Null when it counts; else why not, for people. */
  notCounted: string | null;
  /** Given on the final head commit (the reviewed commit, not a date). */
  onHead: boolean;
  dismissed: boolean;
}

export interface ReviewFacts {
  /** The parties the pull request's authors, co-authors and signers resolve to (keys). */
  authorParties: string[];
  /** Commit authors and co-authors that resolve to nobody: independence cannot be shown. */
  unresolvedAuthors: string[];
  /** Every approval given (dismissed ones too), in submission order (the order of the reviews). */
  approvals: JudgedApproval[];
}

function authorsOf(change: Change, pr: PullRequestFacts): LandedCommit[] {
  // The pull request's own commits are the work. The commits GitHub made when merging are not:
  // a merge or squash commit may be attributed to whoever merged, who may also have approved.
  // Only when GitHub listed none are the landed commits (merge commit aside) read instead.
  if (pr.commits.length > 0) return pr.commits;
  return change.kind === "merge-commit" ? [] : change.commits;
}

export function reviewFacts(change: Change, pr: PullRequestFacts, identities: Identities): ReviewFacts {
  const parties = new Map<string, string>();
  const unresolved = new Set<string>();
  const add = (p: Party | null, role: string): void => {
    if (p && !parties.has(p.key)) parties.set(p.key, role);
  };
  if (pr.author) add(identities.resolve({ login: pr.author }), "the pull request's author");
  for (const c of authorsOf(change, pr)) {
    c.authors.forEach((a: Ident, i) => {
      const p = identities.resolveIdent(a);
      if (p) add(p, i === 0 ? "an author of its commits" : "a co-author of its commits");
      else unresolved.add(identText(a));
    });
    if (c.verification?.signer) add(identities.resolve({ login: c.verification.signer }), "a signer of its commits");
  }
  const approvals: JudgedApproval[] = [];
  for (const r of pr.reviews) {
    const wasApproval =
      r.state === "APPROVED" || (r.state === "DISMISSED" && r.dismissal?.previousState === "APPROVED");
    if (!wasApproval) continue;
    let notCounted: string | null = null;
    if (r.author === null) notCounted = "given by a deleted account";
    else {
      const who = identities.resolve({ login: r.author });
      if (r.authorKind === "Bot" || who?.service) notCounted = `given by ${r.author}, a bot or service account`;
      else if (who && parties.has(who.key)) notCounted = `given by ${r.author}, ${parties.get(who.key)}`;
    }
    approvals.push({
      review: r,
      notCounted,
      onHead: r.commit !== null && r.commit === pr.headOid,
      dismissed: r.state === "DISMISSED",
    });
  }
  return { authorParties: [...parties.keys()].sort(), unresolvedAuthors: [...unresolved].sort(), approvals };
}

/** Approvals that count and stand (not dismissed). */
export const standing = (f: ReviewFacts): JudgedApproval[] =>
  f.approvals.filter((a) => a.notCounted === null && !a.dismissed);
