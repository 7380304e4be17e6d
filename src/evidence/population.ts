import type { PersonConfig } from "../config/schema.js";
import type { Period } from "../period.js";
import type {
  PopulationCommitRow,
  PopulationPrCommitRow,
  PopulationPullRow,
  PopulationRows,
} from "../store/population-queries.js";
import { compareText as cmp } from "../util/compare.js";
import { getOrInsert } from "../util/get-or-insert.js";
import { groupBy } from "../util/group-by.js";
import { parseIdentity } from "../util/identity.js";
import { type Ident, identText } from "./ident.js";
import { buildIdentities, type Identities, type ObservedIdentity } from "./identities.js";
import type { ImageProvenance } from "./image-provenance.js";
import { indexSnapshots, type ProtectionInForce, protectionAt } from "./protection.js";
import { type ReviewFacts, reviewFacts } from "./review-facts.js";

export type { Ident } from "./ident.js";

/**
 * The change population of a period (SPEC §1): every merged pull request and every direct push
 * that landed on a tracked repository's protected branch, each with what the rules judge it by.
 * Built once from the store's rows by pure functions; every rule and output reads it.
 */

export interface LandedCommit {
  sha: string;
  subject: string;
  /** The author, then every Co-authored-by. */
  authors: Ident[];
  committer: Ident;
  /** The signature's kind in the commit object (gpg, ssh, x509), or null: unsigned. */
  signature: string | null;
  /** GitHub's verification of it; null when GitHub did not read the commit. */
  verification: { state: string | null; valid: boolean | null; signer: string | null } | null;
  /** Where the facts come from: the protected branch as git read it, or the pull request on GitHub. */
  seenIn: "branch" | "pull-request";
  /** Set when a history rewrite later dropped it from the branch. */
  droppedAt: string | null;
}

export interface ReviewRecord {
  id: string;
  databaseId: number | null;
  author: string | null;
  authorKind: string | null;
  state: string;
  submittedAt: string | null;
  /** The commit it was given on: the earliest one the store saw it on (GitHub may re-point it). */
  commit: string | null;
  /** The commit GitHub names today, when it differs. */
  repointedTo: string | null;
  /** The dismissal, when one was recorded: who, when, and the state before it. */
  dismissal: { by: string | null; at: string; previousState: string | null } | null;
}

export interface PullRequestFacts {
  number: number;
  title: string;
  url: string;
  author: string | null;
  authorKind: string | null;
  mergedAt: string;
  mergedBy: string | null;
  mergeCommit: string | null;
  headOid: string;
  reviewDecision: string | null;
  /** The pull request's own commits, as GitHub lists them, oldest first. */
  commits: LandedCommit[];
  /** In submission order (then by id). */
  reviews: ReviewRecord[];
  headForcePushes: { actor: string | null; at: string; before: string | null; after: string | null }[];
}

/**
 * merge-commit, squash, rebase: how a pull request landed; not-on-branch: merged, but git never
 * saw its commit on the branch's first-parent history. direct-push: no merged pull request
 * landed it. unknown: GitHub was not asked (not collected, or not yet), so it cannot be told.
 */
export type ChangeKind = "merge-commit" | "squash" | "rebase" | "not-on-branch" | "direct-push" | "unknown";

export interface Change {
  /** `owner/repo#N` or `owner/repo@sha` (SPEC §4). */
  id: string;
  repo: string;
  role: "app" | "gitops";
  branch: string;
  /**
   * Other protected branches the same pushed commit is on: one commit is one change (its id is
   * its sha), wherever it landed.
   */
  alsoOn: string[];
  kind: ChangeKind;
  title: string;
  url: string | null;
  /** When it landed: mergedAt, or for a push its committer date bounded by what changeproof saw. */
  landedAt: string;
  /** How landedAt was found, for people. */
  landedBy: string;
  pr: PullRequestFacts | null;
  /** The commits it put on the branch (C11 judges these). */
  commits: LandedCommit[];
  /** Who merged it (a login), or who committed the push (as git and GitHub record it). */
  mergedBy: Ident | null;
  /** Why GitHub's data cannot judge it (kind unknown), or null. */
  blocked: string | null;
  protection: ProtectionInForce | null;
  review: ReviewFacts | null;
}

export interface RepoScope {
  name: string;
  role: "app" | "gitops";
  github: string | null;
  githubCollected: boolean;
  branches: string[];
}

export interface UnresolvedIdentity {
  identity: string;
  changes: string[];
}

export interface Population {
  period: { label: string; from: string; to: string };
  repos: RepoScope[];
  /** Sorted by repo, branch, landedAt, id. */
  changes: Change[];
  identities: Identities;
  /** Commit identities that resolve to nobody, with the changes they touch (SPEC §3). */
  unresolved: UnresolvedIdentity[];
  /** Organisation members in the period's last snapshot; null: not known. */
  members: ReadonlySet<string> | null;
  /**
   * Per automated GitOps change id, the images it writes traced to the application changes that
   * built them (C12): attached by the pipeline, which reads the store; absent, none were traced.
   */
  images?: ReadonlyMap<string, ImageProvenance>;
}

const iso = (sec: number): string => new Date(sec * 1000).toISOString();

type GitHubAuthor = [string | null, string | null, string | null];

type Verification = NonNullable<LandedCommit["verification"]>;

/**
 * One object per distinct identity, author list and verification of a build: a period's commits
 * repeat a few of each hundreds of thousands of times, and nothing changes them once built.
 */
class Shared {
  // name -> email -> login: nested, so the million lookups of a large period build no key.
  readonly #idents = new Map<string | null, Map<string | null, Map<string | null, Ident>>>();
  readonly #lists = new Map<string, Ident[]>();
  readonly #sole = new Map<Ident, Ident[]>();
  readonly #verifications = new Map<string, Map<boolean, Map<string | null, Verification>>>();

  ident(name: string | null, email: string | null, login: string | null): Ident {
    const byEmail = getOrInsert(this.#idents, name, () => new Map<string | null, Map<string | null, Ident>>());
    const byLogin = getOrInsert(byEmail, email, () => new Map<string | null, Ident>());
    return getOrInsert(byLogin, login, () => ({ name, email, login }));
  }

  list(key: string, build: () => Ident[]): Ident[] {
    return getOrInsert(this.#lists, key, build);
  }

  /** The one-author list of an identity, one per identity. */
  soleAuthor(i: Ident): Ident[] {
    return getOrInsert(this.#sole, i, () => [i]);
  }

  verification(state: string, valid: boolean, signer: string | null): Verification {
    const byValid = getOrInsert(this.#verifications, state, () => new Map<boolean, Map<string | null, Verification>>());
    const bySigner = getOrInsert(byValid, valid, () => new Map<string | null, Verification>());
    return getOrInsert(bySigner, signer, () => ({ state, valid, signer }));
  }
}

function gitAuthors(c: PopulationCommitRow, shared: Shared): Ident[] {
  const trailers = c.trailers ? (JSON.parse(c.trailers) as [string, string][]) : [];
  // GitHub ties each co-author's email to an account when it can (Commit.authors).
  const github = c.gh_authors ? (JSON.parse(c.gh_authors) as GitHubAuthor[]) : [];
  const loginOf = (email: string): string | null =>
    github.find(([, e, login]) => login !== null && e?.toLowerCase() === email.toLowerCase())?.[2] ?? null;
  const co = trailers
    .filter(([k]) => k.toLowerCase() === "co-authored-by")
    .flatMap(([, v]) => {
      const who = parseIdentity(v);
      return who ? [shared.ident(who.name, who.email, loginOf(who.email))] : [];
    });
  return [shared.ident(c.author_name, c.author_email, c.gh_author_login), ...co];
}

function branchCommit(c: PopulationCommitRow, shared: Shared): LandedCommit {
  return {
    sha: c.sha,
    subject: c.subject,
    authors: gitAuthors(c, shared),
    committer: shared.ident(c.committer_name, c.committer_email, c.gh_committer_login),
    signature: c.signature,
    verification:
      c.lookup_read === 1
        ? shared.verification(
            c.gh_signature_state ?? "UNSIGNED",
            c.gh_signature_valid === null ? false : c.gh_signature_valid === 1,
            c.gh_signer_login,
          )
        : null,
    seenIn: "branch",
    droppedAt: c.removed_at,
  };
}

const SIGNATURE_KIND: Record<string, string> = { GpgSignature: "gpg", SshSignature: "ssh", SmimeSignature: "x509" };

function prCommit(c: PopulationPrCommitRow, shared: Shared): LandedCommit {
  // GitHub's author list, when it gave one, is the whole answer; else the commit's own author.
  const listed = shared.list(c.authors, () =>
    (JSON.parse(c.authors) as [string | null, string | null, string | null][]).map(([name, email, login]) =>
      shared.ident(name, email, login),
    ),
  );
  const authors =
    listed.length > 0 ? listed : shared.soleAuthor(shared.ident(c.author_name, c.author_email, c.author_login));
  return {
    sha: c.oid,
    subject: "",
    authors,
    committer: shared.ident(c.committer_name, c.committer_email, c.committer_login),
    signature: c.signature_kind ? (SIGNATURE_KIND[c.signature_kind] ?? "unknown") : null,
    verification: shared.verification(c.signature_state ?? "UNSIGNED", c.signature_valid === 1, c.signer_login),
    seenIn: "pull-request",
    droppedAt: null,
  };
}

const prKey = (repo: string, n: number): string => `${repo}#${n}`;

/** Every identity the period's GitHub data ties to an account, for identity resolution. */
function observedIdentities(rows: PopulationRows): ObservedIdentity[] {
  // Repeats are many (a period's commits share a few identities); buildIdentities drops them.
  const out: ObservedIdentity[] = [];
  for (const c of rows.prCommits) {
    for (const [, email, login] of JSON.parse(c.authors) as [string | null, string | null, string | null][]) {
      out.push({ email, login });
    }
    out.push({ email: c.committer_email, login: c.committer_login });
    if (c.signer_login) out.push({ email: null, login: c.signer_login });
  }
  for (const c of rows.commits) {
    for (const [, email, login] of c.gh_authors ? (JSON.parse(c.gh_authors) as GitHubAuthor[]) : []) {
      if (login) out.push({ email, login });
    }
    if (c.gh_author_login) out.push({ email: c.author_email, login: c.gh_author_login });
    if (c.gh_committer_login) out.push({ email: c.committer_email, login: c.gh_committer_login });
  }
  for (const p of rows.pulls) {
    if (p.author_login) out.push({ email: null, login: p.author_login, kind: p.author_kind });
    if (p.merged_by) out.push({ email: null, login: p.merged_by });
  }
  for (const r of rows.reviews)
    if (r.author_login) out.push({ email: null, login: r.author_login, kind: r.author_kind });
  return out;
}

/**
 * When a push landed: its committer date, which anyone can set, held inside what changeproof saw:
 * not after the run that first saw it on the branch, not before the previous read that did not.
 */
function pushLanded(c: PopulationCommitRow, previousRead: string | null): { at: string; by: string } {
  const committed = iso(c.committer_time);
  if (committed > c.first_seen_at) {
    return { at: c.first_seen_at, by: `first seen on the branch (its committer date, ${committed}, is later)` };
  }
  if (previousRead !== null && committed < previousRead) {
    return {
      at: c.first_seen_at,
      by: `first seen on the branch; not there at the read of ${previousRead}, so its committer date (${committed}) is false`,
    };
  }
  return { at: committed, by: `committer date (first seen on the branch ${c.first_seen_at})` };
}

export interface PopulationInput {
  period: Period;
  rows: PopulationRows;
  people: readonly PersonConfig[];
  /** Identity resolution built once for every repository; default: from these rows alone. */
  identities?: Identities;
}

export function buildPopulation({ period, rows, people, ...given }: PopulationInput): Population {
  const from = period.from.toISOString();
  const to = period.to.toISOString();
  const identities = given.identities ?? buildIdentities(people, observedIdentities(rows));
  const shared = new Shared();
  const members = rows.members ? new Set(rows.members.map((m) => m.toLowerCase())) : null;
  const snapshots = indexSnapshots(rows.snapshots, rows.protection, rows.rulesets);
  const pullsByKey = new Map(rows.pulls.map((p) => [prKey(p.repo, p.number), p]));
  const reviewsOf = groupBy(rows.reviews, (r) => prKey(r.repo, r.pr_number));
  const eventsOf = groupBy(rows.events, (e) => prKey(e.repo, e.pr_number));
  const prCommitsOf = groupBy(rows.prCommits, (c) => prKey(c.repo, c.pr_number));
  const gitRunsOf = groupBy(rows.gitRuns, (r) => r.repo);

  const branchesOf = new Map<string, Set<string>>();
  for (const c of rows.commits) branchesOf.set(c.repo, (branchesOf.get(c.repo) ?? new Set()).add(c.branch));
  for (const p of rows.pulls) branchesOf.set(p.repo, (branchesOf.get(p.repo) ?? new Set()).add(p.base_ref));
  const repos: RepoScope[] = rows.repos.map((r) => ({
    name: r.name,
    role: r.role,
    github: r.github,
    githubCollected: r.github_succeeded === 1,
    branches: [...(branchesOf.get(r.name) ?? [])].sort(),
  }));
  const repoOf = new Map(repos.map((r) => [r.name, r]));
  const defaultBranchOf = new Map(
    rows.repos.map((r) => {
      const b = repoOf.get(r.name)?.branches ?? [];
      // The git collector protected the default branch alone when none were configured.
      return [r.name, r.git_branches === "(default branch)" && b.length === 1 ? (b[0] ?? null) : null];
    }),
  );

  const previousReadOf = (c: PopulationCommitRow): string | null => {
    const runs = gitRunsOf.get(c.repo) ?? [];
    let prev: string | null = null;
    for (const r of runs) {
      if (r.id >= c.first_seen_run) break;
      prev = r.started_at;
    }
    return prev;
  };

  // Branch commits grouped by the pull request that landed them; the rest are pushes or unknown.
  const landedBy = new Map<string, PopulationCommitRow[]>();
  const changes: Change[] = [];
  const pushes = new Map<string, Change>();
  const protectionFor = (repo: string, branch: string, at: string): ProtectionInForce | null => {
    const gh = repoOf.get(repo)?.github;
    return gh ? protectionAt(snapshots, gh, branch, at, defaultBranchOf.get(repo) ?? null) : null;
  };

  for (const c of rows.commits) {
    const explainedBy = c.landed_by;
    if (explainedBy !== null) {
      const key = prKey(c.repo, explainedBy);
      // A pull request merged in another period: its commits are that period's change.
      if (!pullsByKey.has(key)) continue;
      const list = landedBy.get(`${key}\u0000${c.branch}`) ?? [];
      list.push(c);
      landedBy.set(`${key}\u0000${c.branch}`, list);
      continue;
    }
    const landed = pushLanded(c, previousReadOf(c));
    if (landed.at < from || landed.at >= to) continue;
    const already = pushes.get(`${c.repo}@${c.sha}`);
    if (already) {
      already.alsoOn.push(c.branch);
      continue;
    }
    const repo = repoOf.get(c.repo);
    const associated = c.lookup_prs ? (JSON.parse(c.lookup_prs) as number[]) : null;
    let kind: ChangeKind = "direct-push";
    let blocked: string | null = null;
    if (c.lookup_read === 2) {
      kind = "unknown";
      blocked = `GitHub does not have ${c.sha.slice(0, 12)} (asked by its id): whether a pull request landed it cannot be shown`;
    } else if (associated === null) {
      kind = "unknown";
      blocked = repo?.githubCollected
        ? `GitHub has not yet been asked which pull request, if any, landed ${c.sha.slice(0, 12)} (collected after the last GitHub run)`
        : `GitHub was not collected for ${c.repo}: whether a pull request landed ${c.sha.slice(0, 12)} cannot be shown`;
    } else if (associated.length > 0) {
      kind = "unknown";
      blocked = `GitHub associates ${c.sha.slice(0, 12)} with pull request ${associated.map((n) => `#${n}`).join(", ")}, which the store does not hold`;
    }
    const commit = branchCommit(c, shared);
    const change: Change = {
      id: `${c.repo}@${c.sha}`,
      repo: c.repo,
      role: repo?.role ?? "app",
      branch: c.branch,
      alsoOn: [],
      kind,
      title: c.subject,
      url: null,
      landedAt: landed.at,
      landedBy: landed.by,
      pr: null,
      commits: [commit],
      mergedBy: commit.committer,
      blocked,
      protection: protectionFor(c.repo, c.branch, landed.at),
      review: null,
    };
    pushes.set(change.id, change);
    changes.push(change);
  }

  for (const p of rows.pulls) {
    const key = prKey(p.repo, p.number);
    const onBranch = landedBy.get(`${key}\u0000${p.base_ref}`) ?? [];
    const prCommits = (prCommitsOf.get(key) ?? [])
      .sort((a, b) => a.position - b.position)
      .map((pc) => prCommit(pc, shared));
    const facts = pullFacts(p, prCommits, reviewsOf.get(key) ?? [], eventsOf.get(key) ?? []);
    const merge = onBranch.find((c) => c.sha === p.merge_commit);
    const kind: ChangeKind =
      onBranch.length === 0
        ? "not-on-branch"
        : merge && merge.parents.split(" ").filter(Boolean).length > 1
          ? "merge-commit"
          : onBranch.length > 1
            ? "rebase"
            : "squash";
    const landed = onBranch.map((b) => branchCommit(b, shared));
    // A merge-commit merge puts the pull request's commits on the branch beside its merge commit.
    const commits =
      kind === "merge-commit"
        ? [...landed, ...prCommits.filter((pc) => !landed.some((l) => l.sha === pc.sha))]
        : landed;
    const change: Change = {
      id: key,
      repo: p.repo,
      role: repoOf.get(p.repo)?.role ?? "app",
      branch: p.base_ref,
      alsoOn: [],
      kind,
      title: p.title,
      url: p.url,
      landedAt: p.merged_at,
      landedBy: "GitHub's mergedAt",
      pr: facts,
      commits,
      mergedBy: { name: null, email: null, login: p.merged_by },
      blocked: null,
      protection: protectionFor(p.repo, p.base_ref, p.merged_at),
      review: null,
    };
    change.review = reviewFacts(change, facts, identities);
    changes.push(change);
  }
  changes.sort(
    (a, b) => cmp(a.repo, b.repo) || cmp(a.branch, b.branch) || cmp(a.landedAt, b.landedAt) || cmp(a.id, b.id),
  );
  return {
    period: { label: period.label, from, to },
    repos,
    changes,
    identities,
    unresolved: unresolvedIdentities(changes, identities),
    members,
  };
}

function pullFacts(
  p: PopulationPullRow,
  commits: LandedCommit[],
  reviews: PopulationRows["reviews"],
  events: PopulationRows["events"],
): PullRequestFacts {
  const dismissals = events.filter((e) => e.kind === "ReviewDismissedEvent");
  return {
    number: p.number,
    title: p.title,
    url: p.url,
    author: p.author_login,
    authorKind: p.author_kind,
    mergedAt: p.merged_at,
    mergedBy: p.merged_by,
    mergeCommit: p.merge_commit,
    headOid: p.head_oid,
    reviewDecision: p.review_decision,
    commits,
    reviews: [...reviews]
      .sort((a, b) => cmp(a.submitted_at ?? "", b.submitted_at ?? "") || cmp(a.node_id, b.node_id))
      .map((r) => {
        const d = r.database_id === null ? undefined : dismissals.find((e) => e.review_database_id === r.database_id);
        const commit = r.first_commit_oid ?? r.commit_oid;
        return {
          id: r.node_id,
          databaseId: r.database_id,
          author: r.author_login,
          authorKind: r.author_kind,
          state: r.state,
          submittedAt: r.submitted_at,
          commit,
          repointedTo: r.commit_oid !== null && r.commit_oid !== commit ? r.commit_oid : null,
          dismissal: d ? { by: d.actor_login, at: d.created_at, previousState: d.previous_review_state } : null,
        };
      }),
    headForcePushes: events
      .filter((e) => e.kind === "HeadRefForcePushedEvent")
      .sort((a, b) => cmp(a.created_at, b.created_at))
      .map((e) => ({ actor: e.actor_login, at: e.created_at, before: e.before_oid, after: e.after_oid })),
  };
}

function unresolvedIdentities(changes: readonly Change[], identities: Identities): UnresolvedIdentity[] {
  const byIdentity = new Map<string, Set<string>>();
  for (const ch of changes) {
    for (const c of [...ch.commits, ...(ch.pr?.commits ?? [])]) {
      for (const a of c.authors) {
        if (identities.resolveIdent(a)) continue;
        const k = identText(a);
        byIdentity.set(k, (byIdentity.get(k) ?? new Set()).add(ch.id));
      }
    }
  }
  return [...byIdentity]
    .map(([identity, ids]) => ({ identity, changes: [...ids].sort() }))
    .sort((a, b) => cmp(a.identity, b.identity));
}
