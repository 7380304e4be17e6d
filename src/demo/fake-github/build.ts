import { createHash } from "node:crypto";
import type {
  FakeBranchProtectionRule,
  FakeCommit,
  FakeMember,
  FakeOrganization,
  FakePullRequest,
  FakeRepository,
  FakeReview,
  FakeUser,
} from "./model.js";

/**
 * Builders for large, deterministic organisations: tests and the benchmark need thousands of pull
 * requests with reviews and commits, and the same inputs must give the same oids, ids and times
 * in every run. Everything is derived from names and indexes; nothing is random.
 */

/** A 40-hex oid from its parts (sha1 of the parts), stable across runs. */
export function fakeOid(...parts: (string | number)[]): string {
  return createHash("sha1").update(parts.join("\u0000")).digest("hex");
}

/**
 * A branch protection rule as most organisations start: one approving review required, nothing
 * else enforced, admins not bound by it; `overrides` sets the rest.
 */
export function protectionRule(
  pattern: string,
  overrides: Partial<FakeBranchProtectionRule> = {},
): FakeBranchProtectionRule {
  return {
    pattern,
    requiresApprovingReviews: true,
    requiredApprovingReviewCount: 1,
    dismissesStaleReviews: false,
    requireLastPushApproval: false,
    requiresCodeOwnerReviews: false,
    isAdminEnforced: false,
    allowsForcePushes: false,
    requiresCommitSignatures: false,
    ...overrides,
  };
}

export type PerPullRequest = number | ((index: number) => number);

export interface BuildRepositoryOptions {
  /** The owning organisation's login: it namespaces oids and names merge commits. */
  org: string;
  name: string;
  pullRequests: number;
  /** Reviews per pull request (default 1); the last is APPROVED, earlier ones COMMENTED. */
  reviewsPerPullRequest?: PerPullRequest;
  /** Commits per pull request (default 2). */
  commitsPerPullRequest?: PerPullRequest;
  /** Pull-request authors, in rotation. */
  authors: string[];
  /** Reviewers and mergers, in rotation, never the PR's author (default: the authors). */
  reviewers?: string[];
  /** Commit email of a login (default `<login>@<org>.example`). */
  email?: (login: string) => string;
  /** When the first pull request is opened (default 2026-07-01T00:00:00Z). */
  start?: Date;
  /** Minutes between two pull requests (default 60). */
  intervalMinutes?: number;
  defaultBranch?: string;
  isPrivate?: boolean;
  /** Keeps review databaseIds unique across an organisation's repositories (default 0). */
  repositoryIndex?: number;
  /** A last word on each pull request (state, reviews, timeline...) after it is built. */
  customize?: (pr: FakePullRequest, index: number, repo: FakeRepository) => void;
}

const MINUTE = 60_000;
const iso = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;
const count = (n: PerPullRequest | undefined, index: number, fallback: number): number =>
  Math.max(0, Math.floor(typeof n === "function" ? n(index) : (n ?? fallback)));

/**
 * A repository whose history is `pullRequests` merged pull requests, each merged by a merge
 * commit onto the default branch, in order. Commits are indexed by the server, so sizes such as
 * 500 pull requests with 20 commits and 10 reviews each are served without scanning.
 */
export function buildRepository(options: BuildRepositoryOptions): FakeRepository {
  const { org, name } = options;
  const authors = options.authors.length > 0 ? options.authors : ["octocat"];
  const reviewers = options.reviewers && options.reviewers.length > 0 ? options.reviewers : authors;
  const email = options.email ?? ((login: string) => `${login}@${org}.example`);
  const start = (options.start ?? new Date("2026-07-01T00:00:00Z")).getTime();
  const interval = (options.intervalMinutes ?? 60) * MINUTE;
  const defaultBranch = options.defaultBranch ?? "main";
  const reviewBase = ((options.repositoryIndex ?? 0) + 1) * 10_000_000;
  const who = (login: string) => ({ name: login, email: email(login) });

  const repo: FakeRepository = {
    name,
    defaultBranch,
    ...(options.isPrivate !== undefined ? { isPrivate: options.isPrivate } : {}),
    commits: [],
    pullRequests: [],
    collaborators: [],
    branchProtectionRules: [],
    rulesets: [],
  };
  const root: FakeCommit = {
    oid: fakeOid(org, name, "root"),
    message: "Initial commit",
    author: { ...who(authors[0] ?? "octocat"), date: iso(start - 60 * MINUTE) },
    committer: { ...who(authors[0] ?? "octocat"), date: iso(start - 60 * MINUTE) },
  };
  repo.commits.push(root);
  let tip = root.oid;

  for (let i = 0; i < options.pullRequests; i++) {
    const number = i + 1;
    const author = authors[i % authors.length] ?? "octocat";
    const others = reviewers.filter((r) => r !== author);
    const pool = others.length > 0 ? others : reviewers;
    const created = start + i * interval;
    const commitCount = Math.max(1, count(options.commitsPerPullRequest, i, 2));
    const reviewCount = count(options.reviewsPerPullRequest, i, 1);

    const commits: string[] = [];
    let parent = tip;
    for (let j = 0; j < commitCount; j++) {
      const when = iso(created - (commitCount - j) * MINUTE);
      const commit: FakeCommit = {
        oid: fakeOid(org, name, number, j),
        message: `Change ${number}.${j + 1}\n\nPart ${j + 1} of pull request #${number}.`,
        author: { ...who(author), date: when },
        committer: { ...who(author), date: when },
        parents: [parent],
      };
      repo.commits.push(commit);
      commits.push(commit.oid);
      parent = commit.oid;
    }
    const head = parent;

    const reviews: FakeReview[] = [];
    for (let r = 0; r < reviewCount; r++) {
      reviews.push({
        databaseId: reviewBase + number * 100 + r,
        author: pool[(i + r) % pool.length] ?? null,
        state: r === reviewCount - 1 ? "APPROVED" : "COMMENTED",
        submittedAt: iso(created + (r + 1) * 5 * MINUTE),
        commit: head,
      });
    }

    const merger = pool[i % pool.length] ?? author;
    const mergedAt = iso(created + (reviewCount + 2) * 5 * MINUTE);
    const merge: FakeCommit = {
      oid: fakeOid(org, name, number, "merge"),
      message: `Merge pull request #${number} from ${org}/feature/${number}\n\nChange ${number}`,
      author: { ...who(merger), date: mergedAt },
      committer: { name: "GitHub", email: "noreply@github.com", date: mergedAt },
      signature: { kind: "GpgSignature", state: "VALID", keyId: "B5690EEEBB952194" },
      parents: [tip, head],
    };
    repo.commits.push(merge);
    tip = merge.oid;

    const pr: FakePullRequest = {
      number,
      title: `Change ${number}`,
      author,
      createdAt: iso(created),
      updatedAt: mergedAt,
      state: "MERGED",
      mergedAt,
      mergedBy: merger,
      mergeCommit: merge.oid,
      baseRefName: defaultBranch,
      headRefName: `feature/${number}`,
      headRefOid: head,
      reviewDecision: reviews.some((r) => r.state === "APPROVED") ? "APPROVED" : "REVIEW_REQUIRED",
      reviews,
      timeline: [
        { kind: "MergedEvent", actor: merger, createdAt: mergedAt, commit: merge.oid, mergeRefName: defaultBranch },
      ],
      commits,
    };
    repo.pullRequests.push(pr);
    options.customize?.(pr, i, repo);
  }
  repo.branches = [{ name: defaultBranch, oid: tip }];
  return repo;
}

export interface BuildOrganizationOptions {
  login: string;
  repositories: number;
  pullRequestsPerRepository: number;
  reviewsPerPullRequest?: PerPullRequest;
  commitsPerPullRequest?: PerPullRequest;
  /** Members `dev1`..`devN` (default 10); dev1 is an owner (ADMIN). */
  members?: number;
  start?: Date;
  isPrivate?: boolean;
}

/**
 * An organisation of `members` developers, one `engineering` team with write access to every
 * repository, and `repositories` repositories (`service-01`, ...) built by buildRepository.
 */
export function buildOrganization(options: BuildOrganizationOptions): FakeOrganization {
  const { login } = options;
  const memberCount = Math.max(1, options.members ?? 10);
  const logins = Array.from({ length: memberCount }, (_, k) => `dev${k + 1}`);
  const users: FakeUser[] = logins.map((l, k) => ({
    login: l,
    databaseId: 100_000 + k,
    name: `Developer ${k + 1}`,
    emails: [`${l}@${login}.example`],
  }));
  const members: FakeMember[] = logins.map((l, k) => ({
    login: l,
    role: k === 0 ? "ADMIN" : "MEMBER",
    hasTwoFactorEnabled: true,
  }));
  const width = Math.max(2, String(options.repositories).length);
  const repositories = Array.from({ length: options.repositories }, (_, r) => {
    const repo = buildRepository({
      org: login,
      name: `service-${String(r + 1).padStart(width, "0")}`,
      pullRequests: options.pullRequestsPerRepository,
      ...(options.reviewsPerPullRequest !== undefined ? { reviewsPerPullRequest: options.reviewsPerPullRequest } : {}),
      ...(options.commitsPerPullRequest !== undefined ? { commitsPerPullRequest: options.commitsPerPullRequest } : {}),
      authors: logins,
      ...(options.start ? { start: options.start } : {}),
      ...(options.isPrivate !== undefined ? { isPrivate: options.isPrivate } : {}),
      repositoryIndex: r,
    });
    repo.collaborators = logins.map((l, k) => ({
      login: l,
      permission: k === 0 ? "ADMIN" : "WRITE",
      affiliation: "DIRECT",
      permissionSources:
        k === 0
          ? [{ source: { kind: "Organization", name: login }, permission: "ADMIN" }]
          : [{ source: { kind: "Team", name: "engineering" }, permission: "WRITE" }],
    }));
    repo.branchProtectionRules = [protectionRule(repo.defaultBranch, { dismissesStaleReviews: true })];
    return repo;
  });
  return {
    login,
    users,
    members,
    teams: [
      {
        slug: "engineering",
        name: "Engineering",
        members: logins.map((l, k) => ({ login: l, role: k === 0 ? "MAINTAINER" : "MEMBER" })),
        repositories: repositories.map((r) => ({ name: r.name, permission: "WRITE" })),
      },
    ],
    repositories,
    rulesets: [],
  };
}
