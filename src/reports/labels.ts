import type { Change } from "../evidence/change-log.js";

/**
 * Words both report formats use for a change, so the PDF and the HTML say the same thing. A pull
 * request number in a subject is a claim anyone can write, and is labelled as such.
 */
export function kindLabel(c: Pick<Change, "kind" | "claimedPullRequest">): string {
  const kind = c.kind === "merge" ? "merge commit" : "single-parent (possible direct push)";
  return c.claimedPullRequest === null ? kind : `${kind}; subject cites PR #${c.claimedPullRequest} (unverified)`;
}

export function droppedLabel(c: Pick<Change, "removedAt">): string | null {
  return c.removedAt ? `DROPPED from the branch by a rewrite observed ${c.removedAt}` : null;
}

export { plural } from "../util/plural.js";
