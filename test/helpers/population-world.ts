import { createHash } from "node:crypto";
import type { PersonConfig } from "../../src/config/schema.js";
import type { Finding, Rule } from "../../src/evidence/finding.js";
import { buildPopulation, type Population } from "../../src/evidence/population.js";
import { type Period, parsePeriod } from "../../src/period.js";
import type {
  PopulationCommitRow,
  PopulationEventRow,
  PopulationPrCommitRow,
  PopulationPullRow,
  PopulationReviewRow,
  PopulationRows,
  ProtectionRow,
  RulesetRow,
  SnapshotRow,
} from "../../src/store/population-queries.js";

/**
 * Small worlds for the evidence engine, described the way a reader thinks of them (a pull
 * request, its reviews, the commits git saw on the branch, what GitHub answered for each), turned
 * into the store's `PopulationRows` exactly as `populationRows` would read them for a period:
 * pull requests, reviews, events and PR commits only of pull requests merged in the period; branch
 * commits committed in it, first seen by a run that started in it, or the merge commit of a pull
 * request merged in it; landed_by (merge commit, else own commit, else GitHub lookup) joined against every stored pull request.
 */

export const Q3: Period = parsePeriod("2026Q3"); // [2026-07-01, 2026-10-01)

/** A readable 40-hex object id: the same tag always gives the same sha. */
export const sha = (tag: string): string => createHash("sha1").update(tag).digest("hex");
/** How rules print a sha. */
export const short = (s: string): string => s.slice(0, 12);

/** A git identity, with the GitHub account GitHub ties it to (null or absent: none). */
export interface Who {
  name: string;
  email: string;
  login?: string | null;
}

export const alice: Who = { name: "Alice Adams", email: "alice@acme.example", login: "alice" };
export const bob: Who = { name: "Bob Brown", email: "bob@acme.example", login: "bob" };
export const carol: Who = { name: "Carol Chen", email: "carol@acme.example", login: "carol" };
/** Known only to the registry by this email: GitHub never ties it to his account. */
export const dave: Who = { name: "Dave Dunn", email: "dave@home.example", login: null };
/** A GitHub account the registry does not list. */
export const erin: Who = { name: "Erin Evans", email: "erin@home.example", login: "erin" };
/** Nobody: an email neither GitHub nor the registry ties to anyone. */
export const mallory: Who = { name: "Mallory", email: "mallory@laptop.local", login: null };
export const webFlow: Who = { name: "GitHub", email: "noreply@github.com", login: "web-flow" };

/** The `people:` registry the worlds use unless a case gives another. */
export const PEOPLE: PersonConfig[] = [
  { name: "Alice Adams", logins: ["alice"], emails: ["alice@acme.example"] },
  { name: "Bob Brown", logins: ["bob"], emails: ["bob@acme.example"] },
  { name: "Carol Chen", logins: ["carol"], emails: ["carol@acme.example"] },
  { name: "Dave Dunn", logins: ["dave"], emails: ["dave@home.example"] },
  { name: "Deployer", service: "automation", logins: ["acme-deployer"], emails: [] },
];

export interface SignatureSpec {
  kind?: "GpgSignature" | "SshSignature" | "SmimeSignature";
  state: string;
  valid: boolean;
  signer?: string | null;
}

/** GitHub verified it (state VALID), signed by `signer`. */
export const verified = (signer: string, kind: SignatureSpec["kind"] = "GpgSignature"): SignatureSpec => ({
  kind,
  state: "VALID",
  valid: true,
  signer,
});

export interface RepoSpec {
  name: string;
  role?: "app" | "gitops";
  /** owner/name on GitHub; default: the name. null: GitHub never collected. */
  github?: string | null;
  /** A GitHub run of the repository succeeded; default: true when it has a GitHub name. */
  githubCollected?: boolean;
  /** The git collector's protected-branch setting; default "(default branch)". */
  gitBranches?: string | null;
}

export interface PrCommitSpec {
  oid: string;
  author: Who;
  coAuthors?: Who[];
  /** Default: the author. */
  committer?: Who;
  /** Default: unsigned. */
  signature?: SignatureSpec | null;
}

export interface ReviewSpec {
  author: string | null;
  /** Default: "User" (null for a deleted account). */
  authorKind?: string | null;
  /** Default: APPROVED. */
  state?: string;
  at: string | null;
  /** The commit GitHub names today. */
  commit: string | null;
  /** The earliest commit the store saw it on; default: the commit. */
  firstCommit?: string | null;
  /** GitHub's databaseId (dismissal events name it); default: one of its own. */
  id?: number | null;
}

export interface DismissalSpec {
  /** The review's databaseId. */
  review: number;
  by: string | null;
  at: string;
  /** Default: APPROVED. */
  previousState?: string | null;
}

export interface ForcePushSpec {
  actor: string | null;
  at: string;
  before: string | null;
  after: string | null;
}

export interface PullSpec {
  /** Default: the world's first repository. */
  repo?: string;
  number: number;
  title?: string;
  /** Default: alice. */
  author?: string | null;
  authorKind?: string | null;
  /** Default: 2026-08-01T12:00:00Z. */
  mergedAt?: string;
  /** Default: bob. */
  mergedBy?: string | null;
  mergeCommit?: string | null;
  /** Default: main. */
  baseRef?: string;
  headOid: string;
  /** Default: APPROVED. */
  reviewDecision?: string | null;
  reviews?: ReviewSpec[];
  dismissals?: DismissalSpec[];
  forcePushes?: ForcePushSpec[];
  commits?: PrCommitSpec[];
}

/** What GitHub answered when asked about a branch commit. */
export interface LookupSpec {
  /** Merged pull requests into the branch that GitHub associates with the commit. */
  prs: number[];
  /**
   * How much of the commit GitHub gave (gh_commit_lookups.commit_read): "read" (1, the default:
   * its author, committer and signature), "not-read" (0, a lookup from before commits were read:
   * its pull requests only), "missing" (2, GitHub does not have the commit).
   */
  read?: "read" | "not-read" | "missing";
  authorLogin?: string | null;
  committerLogin?: string | null;
  /** GitHub's Commit.authors: the author and each co-author, with the account GitHub ties it to. */
  authors?: { name: string; email: string; login: string | null }[];
  signature?: SignatureSpec | null;
}

export interface BranchCommitSpec {
  repo?: string;
  /** Default: main. */
  branch?: string;
  sha: string;
  /** Default: one parent. Two parents: a merge commit. */
  parents?: string[];
  author: Who;
  /** Written as Co-authored-by trailers. */
  coAuthors?: Who[];
  /** Default: the author. */
  committer?: Who;
  committedAt: string;
  subject?: string;
  /** The signature kind git saw in the commit object; default: unsigned. */
  signature?: "gpg" | "ssh" | "x509" | null;
  /** Default: the first run of the repository that started at or after committedAt. */
  firstSeenRun?: number;
  removedRun?: number | null;
  /** GitHub's answer; absent or null: GitHub was never asked. */
  github?: LookupSpec | null;
}

export interface GitRunSpec {
  id: number;
  /** Default: the world's first repository. */
  repo?: string;
  at: string;
}

export interface RuleSpec {
  pattern: string;
  /** Required approving reviews; null: no review required. Default: 1. */
  approvals?: number | null;
  adminEnforced?: boolean;
  dismissStale?: boolean;
  bypass?: string[];
}

export interface RulesetSpec {
  name: string;
  /** owner/name for a repository's own, else the organisation. Default: the repository's GitHub name. */
  scope?: string;
  id?: number;
  target?: string | null;
  enforcement?: string;
  include?: string[];
  exclude?: string[];
  repositories?: string[];
  /** Required approving reviews of its PULL_REQUEST rule; null: no PULL_REQUEST rule. Default: 1. */
  approvals?: number | null;
  dismissStale?: boolean;
}

export interface SnapshotSpec {
  id: number;
  at: string;
  /** GitHub owner/name; default: the first repository's. */
  repo?: string;
  rules?: RuleSpec[];
  rulesets?: RulesetSpec[];
}

export interface World {
  /** Default: one app repository, acme/app, collected from GitHub. */
  repos?: RepoSpec[];
  /** Default: DEFAULT_RUNS. */
  gitRuns?: GitRunSpec[];
  pulls?: PullSpec[];
  commits?: BranchCommitSpec[];
  snapshots?: SnapshotSpec[];
  /** Organisation members in the period's last snapshot; default null (no snapshot listed any). */
  members?: string[] | null;
}

export const REPO = "acme/app";

/** Git runs of acme/app: one before the period, then every fortnight or so, one after it. */
export const DEFAULT_RUNS: GitRunSpec[] = [
  { id: 1, at: "2026-06-20T00:00:00Z" },
  { id: 2, at: "2026-07-10T00:00:00Z" },
  { id: 3, at: "2026-07-25T00:00:00Z" },
  { id: 4, at: "2026-08-10T00:00:00Z" },
  { id: 5, at: "2026-08-25T00:00:00Z" },
  { id: 6, at: "2026-09-10T00:00:00Z" },
  { id: 7, at: "2026-09-25T00:00:00Z" },
  { id: 8, at: "2026-10-05T00:00:00Z" },
];

/** Worlds put together: lists are concatenated, the last members (and repos, runs) given win. */
export function world(...parts: World[]): World {
  const out: World = {};
  for (const p of parts) {
    if (p.repos) out.repos = p.repos;
    if (p.gitRuns) out.gitRuns = p.gitRuns;
    if (p.members !== undefined) out.members = p.members;
    if (p.pulls) out.pulls = [...(out.pulls ?? []), ...p.pulls];
    if (p.commits) out.commits = [...(out.commits ?? []), ...p.commits];
    if (p.snapshots) out.snapshots = [...(out.snapshots ?? []), ...p.snapshots];
  }
  return out;
}

const isoOf = (at: string): string => new Date(at).toISOString();
const secondsOf = (at: string): number => Math.floor(Date.parse(at) / 1000);
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function whoOf(login: string | null | undefined): Who {
  const known = [alice, bob, carol, dave, erin, mallory, webFlow].find((w) => w.login && w.login === login);
  return (
    known ?? { name: login ?? "ghost", email: `${login ?? "ghost"}@users.noreply.github.com`, login: login ?? null }
  );
}

const lookupSignature = (s: SignatureSpec | null | undefined) => ({
  gh_signature_kind: s ? (s.kind ?? "GpgSignature") : null,
  gh_signature_state: s ? s.state : null,
  gh_signature_valid: s ? (s.valid ? 1 : 0) : null,
  gh_signer_login: s ? (s.signer ?? null) : null,
});

/** The commit GitHub's "Squash and merge" puts on the base branch, by the PR's author, signed by web-flow. */
export function squashMerge(
  p: PullSpec,
  over: Partial<BranchCommitSpec> = {},
): { pulls: PullSpec[]; commits: BranchCommitSpec[] } {
  const squash = over.sha ?? p.mergeCommit ?? sha(`squash of #${p.number}`);
  const author = over.author ?? p.commits?.[0]?.author ?? whoOf(p.author);
  const others = (p.commits ?? [])
    .flatMap((c) => [c.author, ...(c.coAuthors ?? [])])
    .filter((w, i, all) => w.email !== author.email && all.findIndex((x) => x.email === w.email) === i);
  const commit: BranchCommitSpec = {
    sha: squash,
    author,
    coAuthors: others,
    committer: webFlow,
    committedAt: p.mergedAt ?? DEFAULT_MERGED_AT,
    subject: `${p.title ?? `Change ${p.number}`} (#${p.number})`,
    signature: "gpg",
    github: {
      prs: [p.number],
      authorLogin: author.login ?? null,
      committerLogin: "web-flow",
      signature: verified("web-flow"),
    },
    ...(p.repo ? { repo: p.repo } : {}),
    ...(p.baseRef ? { branch: p.baseRef } : {}),
    ...over,
  };
  return { pulls: [{ ...p, mergeCommit: squash }], commits: [commit] };
}

/** GitHub's "Create a merge commit": two parents (the base, the PR's head), by whoever merged, signed by web-flow. */
export function mergeCommitMerge(
  p: PullSpec,
  over: Partial<BranchCommitSpec> = {},
): { pulls: PullSpec[]; commits: BranchCommitSpec[] } {
  const merge = over.sha ?? p.mergeCommit ?? sha(`merge of #${p.number}`);
  const merger = whoOf(p.mergedBy === undefined ? "bob" : p.mergedBy);
  const commit: BranchCommitSpec = {
    sha: merge,
    parents: [sha(`base before #${p.number}`), p.headOid],
    author: merger,
    committer: webFlow,
    committedAt: p.mergedAt ?? DEFAULT_MERGED_AT,
    subject: `Merge pull request #${p.number}`,
    signature: "gpg",
    github: {
      prs: [p.number],
      authorLogin: merger.login ?? null,
      committerLogin: "web-flow",
      signature: verified("web-flow"),
    },
    ...(p.repo ? { repo: p.repo } : {}),
    ...(p.baseRef ? { branch: p.baseRef } : {}),
    ...over,
  };
  return { pulls: [{ ...p, mergeCommit: merge }], commits: [commit] };
}

/**
 * GitHub's "Rebase and merge": each PR commit re-created (new sha, committer web-flow, unsigned),
 * mapped back to the PR by GitHub's lookup only; the PR's merge commit is the last of them.
 * `committedAt`: the date the re-created commits carry (default: the merge, a second apart).
 */
export function rebaseMerge(
  p: PullSpec,
  o: { committedAt?: string; firstSeenRun?: number } = {},
): { pulls: PullSpec[]; commits: BranchCommitSpec[] } {
  const at = Date.parse(o.committedAt ?? p.mergedAt ?? DEFAULT_MERGED_AT);
  const n = p.commits?.length ?? 0;
  const commits = (p.commits ?? []).map(
    (c, i): BranchCommitSpec => ({
      sha: sha(`rebased ${c.oid}`),
      author: c.author,
      ...(c.coAuthors ? { coAuthors: c.coAuthors } : {}),
      committer: webFlow,
      committedAt: new Date(at - (n - 1 - i) * 1000).toISOString(),
      subject: `rebased commit ${i + 1} of #${p.number}`,
      github: { prs: [p.number], authorLogin: c.author.login ?? null, committerLogin: "web-flow", signature: null },
      ...(o.firstSeenRun !== undefined ? { firstSeenRun: o.firstSeenRun } : {}),
      ...(p.repo ? { repo: p.repo } : {}),
      ...(p.baseRef ? { branch: p.baseRef } : {}),
    }),
  );
  return { pulls: [{ ...p, mergeCommit: commits[commits.length - 1]?.sha ?? null }], commits };
}

/** A commit pushed straight to the branch: GitHub associates it with no pull request. */
export function directPush(over: Partial<BranchCommitSpec> & { sha: string }): { commits: BranchCommitSpec[] } {
  const author = over.author ?? carol;
  return {
    commits: [
      {
        author,
        committedAt: "2026-08-05T09:00:00Z",
        subject: "hotfix",
        github: {
          prs: [],
          authorLogin: author.login ?? null,
          committerLogin: (over.committer ?? author).login ?? null,
        },
        ...over,
      },
    ],
  };
}

export const DEFAULT_MERGED_AT = "2026-08-01T12:00:00Z";

/** One branch protection rule's stored settings, as the GitHub collector writes them. */
export function ruleSettings(r: RuleSpec): string {
  const approvals = r.approvals === undefined ? 1 : r.approvals;
  return JSON.stringify({
    pattern: r.pattern,
    requiresApprovingReviews: approvals !== null,
    requiredApprovingReviewCount: approvals ?? 0,
    dismissesStaleReviews: r.dismissStale ?? false,
    requireLastPushApproval: false,
    isAdminEnforced: r.adminEnforced ?? false,
    allowsForcePushes: false,
    allowsDeletions: false,
    bypassPullRequestAllowances: r.bypass ?? [],
    bypassForcePushAllowances: [],
    pushAllowances: [],
  });
}

function rulesetSettings(r: RulesetSpec): string {
  const approvals = r.approvals === undefined ? 1 : r.approvals;
  return JSON.stringify({
    conditions: {
      refName: { include: r.include ?? ["~DEFAULT_BRANCH"], exclude: r.exclude ?? [] },
      ...(r.repositories ? { repositoryName: { include: r.repositories, exclude: [] } } : {}),
    },
    rules:
      approvals === null
        ? [{ type: "DELETION", parameters: null }]
        : [
            {
              type: "PULL_REQUEST",
              parameters: {
                requiredApprovingReviewCount: approvals,
                dismissStaleReviewsOnPush: r.dismissStale ?? false,
              },
            },
          ],
    bypassActors: [],
  });
}

/** The rows `populationRows` would read for `period` from a store holding this world. */
export function populationRowsOf(w: World, period: Period = Q3): PopulationRows {
  const from = period.from.toISOString();
  const to = period.to.toISOString();
  const repoSpecs = w.repos ?? [{ name: REPO }];
  const first = repoSpecs[0];
  if (!first) throw new Error("a world needs a repository");
  const githubOf = (r: RepoSpec): string | null => (r.github === undefined ? r.name : r.github);
  const runs = (w.gitRuns ?? DEFAULT_RUNS)
    .map((r) => ({ id: r.id, repo: r.repo ?? first.name, started_at: isoOf(r.at) }))
    .sort((a, b) => a.id - b.id);
  const runById = new Map(runs.map((r) => [r.id, r]));
  const inPeriod = (at: string): boolean => isoOf(at) >= from && isoOf(at) < to;

  const allPulls = (w.pulls ?? []).map((p) => ({
    spec: p,
    repo: p.repo ?? first.name,
    baseRef: p.baseRef ?? "main",
    mergedAt: p.mergedAt ?? DEFAULT_MERGED_AT,
  }));
  const pullsIn = allPulls.filter((p) => inPeriod(p.mergedAt));

  const commits: PopulationCommitRow[] = [];
  for (const c of w.commits ?? []) {
    const repo = c.repo ?? first.name;
    const branch = c.branch ?? "main";
    const committedIso = isoOf(c.committedAt);
    const seenRun =
      c.firstSeenRun !== undefined
        ? runById.get(c.firstSeenRun)
        : runs.find((r) => r.repo === repo && r.started_at >= committedIso);
    if (!seenRun) throw new Error(`no git run saw ${c.sha} (give firstSeenRun or a later run)`);
    const removed = c.removedRun ? runById.get(c.removedRun) : undefined;
    const into = allPulls.filter((p) => p.repo === repo && p.baseRef === branch);
    const min = (ns: number[]): number | null => (ns.length > 0 ? Math.min(...ns) : null);
    const mergeOf = min(into.filter((p) => p.spec.mergeCommit === c.sha).map((p) => p.spec.number));
    const commitOf = min(
      into.filter((p) => (p.spec.commits ?? []).some((pc) => pc.oid === c.sha)).map((p) => p.spec.number),
    );
    const lookupOf = min(into.filter((p) => c.github?.prs.includes(p.spec.number)).map((p) => p.spec.number));
    const included =
      inPeriod(committedIso) ||
      inPeriod(seenRun.started_at) ||
      pullsIn.some((p) => p.repo === repo && p.spec.mergeCommit === c.sha);
    if (!included) continue;
    const committer = c.committer ?? c.author;
    const g = c.github ?? null;
    const read = g !== null && (g.read ?? "read") === "read";
    commits.push({
      repo,
      branch,
      sha: c.sha,
      parents: (c.parents ?? [sha(`parent of ${c.sha}`)]).join(" "),
      author_name: c.author.name,
      author_email: c.author.email,
      committer_name: committer.name,
      committer_email: committer.email,
      committer_time: secondsOf(c.committedAt),
      subject: c.subject ?? `commit ${short(c.sha)}`,
      signature: c.signature ?? null,
      trailers: c.coAuthors?.length
        ? JSON.stringify(c.coAuthors.map((w) => ["Co-authored-by", `${w.name} <${w.email}>`]))
        : null,
      first_seen_run: seenRun.id,
      first_seen_at: seenRun.started_at,
      removed_run: removed?.id ?? null,
      removed_at: removed?.started_at ?? null,
      landed_by: mergeOf ?? commitOf ?? lookupOf,
      lookup_prs: g ? JSON.stringify([...g.prs].sort((a, b) => a - b)) : null,
      lookup_read: g ? { read: 1, "not-read": 0, missing: 2 }[g.read ?? "read"] : null,
      gh_author_login: read ? (g.authorLogin ?? null) : null,
      gh_committer_login: read ? (g.committerLogin ?? null) : null,
      gh_authors: read && g.authors ? JSON.stringify(g.authors.map((a) => [a.name, a.email, a.login])) : null,
      ...lookupSignature(read ? g.signature : null),
    });
  }
  commits.sort(
    (a, b) =>
      cmp(a.repo, b.repo) || cmp(a.branch, b.branch) || a.committer_time - b.committer_time || cmp(a.sha, b.sha),
  );

  const pulls: PopulationPullRow[] = [];
  const reviews: PopulationReviewRow[] = [];
  const events: PopulationEventRow[] = [];
  const prCommits: PopulationPrCommitRow[] = [];
  let reviewId = 1000;
  for (const { spec: p, repo, baseRef, mergedAt } of pullsIn) {
    pulls.push({
      repo,
      number: p.number,
      title: p.title ?? `Change ${p.number}`,
      url: `https://github.com/${repo}/pull/${p.number}`,
      author_login: p.author === undefined ? "alice" : p.author,
      author_kind: p.authorKind === undefined ? (p.author === null ? null : "User") : p.authorKind,
      merged_at: mergedAt,
      merged_by: p.mergedBy === undefined ? "bob" : p.mergedBy,
      merge_commit: p.mergeCommit ?? null,
      base_ref: baseRef,
      head_oid: p.headOid,
      review_decision: p.reviewDecision === undefined ? "APPROVED" : p.reviewDecision,
    });
    for (const [i, r] of (p.reviews ?? []).entries()) {
      reviews.push({
        repo,
        pr_number: p.number,
        node_id: `PRR_${p.number}_${i}`,
        database_id: r.id === undefined ? reviewId++ : r.id,
        author_login: r.author,
        author_kind: r.authorKind === undefined ? (r.author === null ? null : "User") : r.authorKind,
        state: r.state ?? "APPROVED",
        submitted_at: r.at,
        commit_oid: r.commit,
        first_commit_oid: r.firstCommit === undefined ? r.commit : r.firstCommit,
      });
    }
    for (const d of p.dismissals ?? []) {
      events.push({
        repo,
        pr_number: p.number,
        kind: "ReviewDismissedEvent",
        actor_login: d.by,
        created_at: d.at,
        before_oid: null,
        after_oid: null,
        review_database_id: d.review,
        previous_review_state: d.previousState === undefined ? "APPROVED" : d.previousState,
      });
    }
    for (const f of p.forcePushes ?? []) {
      events.push({
        repo,
        pr_number: p.number,
        kind: "HeadRefForcePushedEvent",
        actor_login: f.actor,
        created_at: f.at,
        before_oid: f.before,
        after_oid: f.after,
        review_database_id: null,
        previous_review_state: null,
      });
    }
    for (const [i, c] of (p.commits ?? []).entries()) {
      const committer = c.committer ?? c.author;
      const s = c.signature ?? null;
      prCommits.push({
        repo,
        pr_number: p.number,
        position: i,
        oid: c.oid,
        author_name: c.author.name,
        author_email: c.author.email,
        author_login: c.author.login ?? null,
        committer_name: committer.name,
        committer_email: committer.email,
        committer_login: committer.login ?? null,
        authors: JSON.stringify([
          [c.author.name, c.author.email, c.author.login ?? null],
          ...(c.coAuthors ?? []).map((w) => [w.name, w.email, null]),
        ]),
        signature_kind: s ? (s.kind ?? "GpgSignature") : null,
        signature_state: s ? s.state : null,
        signature_valid: s ? (s.valid ? 1 : 0) : null,
        signer_login: s ? (s.signer ?? null) : null,
      });
    }
  }
  events.sort((a, b) => cmp(a.created_at, b.created_at));
  reviews.sort((a, b) => cmp(a.submitted_at ?? "", b.submitted_at ?? ""));

  const snapshots: SnapshotRow[] = [];
  const protection: ProtectionRow[] = [];
  const rulesets: RulesetRow[] = [];
  const firstGithub = githubOf(first) ?? first.name;
  for (const s of w.snapshots ?? []) {
    const repo = s.repo ?? firstGithub;
    snapshots.push({ id: s.id, taken_at: isoOf(s.at), repo });
    for (const r of s.rules ?? [])
      protection.push({ snapshot_id: s.id, repo, pattern: r.pattern, settings: ruleSettings(r) });
    for (const [i, r] of (s.rulesets ?? []).entries()) {
      rulesets.push({
        snapshot_id: s.id,
        scope: r.scope ?? repo,
        ruleset_id: r.id ?? i + 1,
        name: r.name,
        target: r.target === undefined ? "BRANCH" : r.target,
        enforcement: r.enforcement ?? "ACTIVE",
        settings: rulesetSettings(r),
      });
    }
  }
  snapshots.sort((a, b) => cmp(a.taken_at, b.taken_at) || a.id - b.id);

  return {
    repos: repoSpecs.map((r, i) => {
      const github = githubOf(r);
      return {
        id: i + 1,
        name: r.name,
        role: r.role ?? "app",
        github,
        github_succeeded: (r.githubCollected ?? github !== null) ? 1 : 0,
        git_branches: r.gitBranches === undefined ? "(default branch)" : r.gitBranches,
      };
    }),
    commits,
    pulls,
    reviews,
    events,
    prCommits,
    gitRuns: runs,
    snapshots,
    protection,
    rulesets,
    members: w.members ?? null,
  };
}

/** The population of the world for 2026Q3, with the registry PEOPLE unless one is given. */
export function populationOf(w: World, people: readonly PersonConfig[] = PEOPLE, period: Period = Q3): Population {
  return buildPopulation({ period, rows: populationRowsOf(w, period), people });
}

/** The rule's verdict on one change of the world. */
export function verdictOf(rule: Rule<Population>, w: World, change: string, people = PEOPLE): Finding {
  const f = rule.evaluate(populationOf(w, people)).find((x) => x.subject.id === change);
  if (!f) throw new Error(`no verdict on ${change}`);
  return f;
}

/** The commits of the standard pull request: FIRST, then HEAD, both by alice and verified. */
export const FIRST = sha("first commit");
export const HEAD = sha("head commit");
export const APPROVED_AT = "2026-07-30T10:00:00Z";
export const PR1 = `${REPO}#1`;

/** An approval (or another state) by `author` on `commit`. */
export const review = (
  author: string | null,
  commit: string | null,
  at: string = APPROVED_AT,
  over: Partial<ReviewSpec> = {},
): ReviewSpec => ({ author, commit, at, ...over });

/**
 * Pull request #1 by alice into main: FIRST then HEAD, both authored by alice and signed with her
 * verified key, approved by bob on HEAD, merged by bob on 2026-08-01. Land it with squashMerge,
 * mergeCommitMerge or rebaseMerge.
 */
export function pull(over: Partial<PullSpec> = {}): PullSpec {
  return {
    number: 1,
    title: "Add ledger",
    author: "alice",
    mergedBy: "bob",
    mergedAt: DEFAULT_MERGED_AT,
    headOid: HEAD,
    commits: [
      { oid: FIRST, author: alice, signature: verified("alice") },
      { oid: HEAD, author: alice, signature: verified("alice") },
    ],
    reviews: [review("bob", HEAD)],
    ...over,
  };
}

/** The change a one-change world is about: its first pull request, else its first commit. */
export function subjectOf(w: World): string {
  const pr = w.pulls?.[0];
  if (pr) return `${pr.repo ?? REPO}#${pr.number}`;
  const c = w.commits?.[0];
  if (!c) throw new Error("an empty world");
  return `${c.repo ?? REPO}@${c.sha}`;
}
