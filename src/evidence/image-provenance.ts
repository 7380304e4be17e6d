import type { Identities } from "./identities.js";
import type { Change } from "./population.js";

/**
 * Automated change provenance (SPEC C12): what image automation wrote into a GitOps repository
 * and which application change built it. The store says what each commit wrote (image-refs.ts);
 * the pipeline resolves each reference to an application commit and judges the change that
 * landed it; these are the pure parts both share.
 */

/** An image reference a GitOps commit writes, as stored. */
export interface WrittenImage {
  /** The GitOps commit that wrote it. */
  commit: string;
  image: string | null;
  tag: string | null;
  digest: string | null;
  source: "diff" | "message";
  file: string | null;
}

/** What C12 knows of an automated change: each image traced, and what keeps it from being only an image bump. */
export interface ImageProvenance {
  traces: readonly ImageTrace[];
  problems: readonly string[];
}

/** What an image reference resolved to: the application change that built it, or why none. */
export type ImageTrace = WrittenImage &
  (
    | {
        traced: true;
        /** The application commit the tag names, and how it named it. */
        app: { repo: string; sha: string; via: string };
        /** The change that landed it, and C1's verdict on that change. */
        change: { id: string; c1: string; reason: string; landedAt: string };
      }
    | {
        traced: false;
        why: string;
        app?: { repo: string; sha: string; via: string };
        change?: { id: string; c1: string; reason: string; landedAt: string };
      }
  );

/** `ghcr.io/acme/app:tag@digest`, as people write it. */
export function imageText(w: Pick<WrittenImage, "image" | "tag" | "digest">): string {
  return `${w.image ?? "(image not named)"}${w.tag ? `:${w.tag}` : ""}${w.digest ? `@${w.digest}` : ""}`;
}

/**
 * Whether a change is an automation's change to a GitOps repository, which C12 judges: a pull
 * request a bot or automation account opened, or a push whose every commit such an account
 * authored (identity resolution says which accounts are not people).
 */
export function isAutomatedGitopsChange(c: Change, identities: Identities): boolean {
  if (c.role !== "gitops") return false;
  const automated = (p: ReturnType<Identities["resolve"]>) => p?.service === "bot" || p?.service === "automation";
  if (c.pr) {
    if (c.pr.authorKind === "Bot" || /\[bot\]$/i.test(c.pr.author ?? "")) return true;
    return c.pr.author !== null && automated(identities.resolve({ login: c.pr.author }));
  }
  return (
    c.commits.length > 0 &&
    c.commits.every((k) => automated(k.authors[0] ? identities.resolveIdent(k.authors[0]) : null))
  );
}

/**
 * The commit ids a tag carries, as CI pipelines name builds: `sha-1a2b3c4`, `main-1a2b3c4-1700000000`,
 * `v1.2.3-4-g1a2b3c4` (git describe), or a full id. A run of digits alone is a build number or a
 * timestamp, not a commit, unless the tag says `sha-`.
 */
export function commitIdsInTag(tag: string): string[] {
  const described = /-\d+-g([0-9a-f]{7,40})(?:-dirty)?$/i.exec(tag)?.[1];
  if (described) return [described.toLowerCase()];
  const saysSha = /^sha[-_]/i.test(tag);
  const ids = tag
    .toLowerCase()
    .split(/[-_.+]/)
    .filter((t) => /^[0-9a-f]{7,40}$/.test(t) && (saysSha || /[a-f]/.test(t)));
  return [...new Set(ids)];
}

/**
 * Why an image built from `sha` is not a build of what `change` had reviewed, or null when it is:
 * review covers the final head and what landing it put on the branch (its merge, squash or rebased
 * commits); an earlier commit of the pull request is code no one approved as it was.
 */
export function buildNotReviewed(change: Change, sha: string): string | null {
  if (!change.pr) return null;
  if (change.pr.headOid === sha || change.pr.mergeCommit === sha) return null;
  // What landing put on the branch ends in the reviewed state: the merge or squash commit, or the
  // last of the rebased ones. An earlier rebased commit is a state no one approved as it was.
  const landedLast = change.commits.filter((k) => k.seenIn === "branch").at(-1);
  if (landedLast?.sha === sha) return null;
  return `a commit of ${change.id} before its final state (head ${change.pr.headOid.slice(0, 12)}): not what was reviewed`;
}

/** The tag names a version tag may have in git: `1.2.0` is released as `v1.2.0` or `1.2.0`. */
export function gitTagNames(tag: string): string[] {
  return tag.startsWith("v") ? [tag, tag.slice(1)] : [tag, `v${tag}`];
}

/** C12's verdict on an automated change: traced when every image it writes traces. */
export function provenanceVerdict({ traces, problems }: ImageProvenance): {
  verdict: "traced" | "unexplained";
  reason: string;
} {
  const [problem] = problems;
  if (problem !== undefined) {
    return {
      verdict: "unexplained",
      reason: `${problem}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ""}: not only an image bump`,
    };
  }
  if (traces.length === 0) {
    return {
      verdict: "unexplained",
      reason: "it writes no image reference changeproof can read (no image, tag or digest in its diff or message)",
    };
  }
  const failed = traces.flatMap((t) => (t.traced ? [] : [t]));
  const [first] = failed;
  if (first) {
    return {
      verdict: "unexplained",
      reason: `${imageText(first)}: ${first.why}${failed.length > 1 ? ` (and ${failed.length - 1} more)` : ""}`,
    };
  }
  // Each image once: the tracer reads every image a change writes once.
  return {
    verdict: "traced",
    reason: traces
      .map((t) => (t.traced ? `${imageText(t)} built from ${t.change.id} (C1 ${t.change.c1})` : ""))
      .join("; "),
  };
}
