import { stableNumber } from "./ids.js";
import type {
  FakeCollaborator,
  FakeCommit,
  FakeMember,
  FakeOrganization,
  FakePullRequest,
  FakeRepository,
  FakeTeam,
  FakeUser,
} from "./model.js";

/**
 * Lookups over the model, so a large organisation (thousands of pull requests, hundreds of
 * thousands of commits) is served by map lookups rather than scans. Tests edit the model between
 * runs, so repository indexes are checked against a cheap fingerprint once per request and rebuilt
 * when it changed; organisation indexes are small and built per request.
 */

export interface RepoIndex {
  prByNumber: Map<number, FakePullRequest>;
  commitByOid: Map<string, FakeCommit>;
  /** Pull requests whose commits include the oid, or whose merge commit it is. */
  prsByOid: Map<string, FakePullRequest[]>;
  collaboratorByLogin: Map<string, FakeCollaborator>;
}

export interface OrgIndex {
  userByLogin: Map<string, FakeUser>;
  userByEmail: Map<string, FakeUser>;
  memberByLogin: Map<string, FakeMember>;
  teamBySlug: Map<string, FakeTeam>;
  repoByName: Map<string, FakeRepository>;
}

interface CachedRepoIndex {
  prs: readonly FakePullRequest[];
  commits: readonly FakeCommit[];
  collaborators: readonly FakeCollaborator[];
  fingerprint: string;
  index: RepoIndex;
}

/** Logins, slugs and names compare case-insensitively on GitHub. */
export const lower = (s: string): string => s.toLowerCase();

function repoFingerprint(repo: FakeRepository): string {
  let hash = 0x811c9dc5;
  const mix = (n: number): void => {
    hash ^= n;
    hash = Math.imul(hash, 0x01000193);
  };
  for (const pr of repo.pullRequests) {
    mix(pr.number);
    mix(pr.commits.length);
    mix(pr.mergeCommit ? stableNumber(pr.mergeCommit) : 0);
    const lastCommit = pr.commits[pr.commits.length - 1];
    mix(lastCommit ? stableNumber(lastCommit) : 0);
  }
  const c = repo.commits;
  return [
    repo.pullRequests.length,
    c.length,
    c[0]?.oid ?? "",
    c[c.length - 1]?.oid ?? "",
    repo.collaborators.length,
    repo.collaborators.map((x) => x.login).join(","),
    hash >>> 0,
  ].join("|");
}

function buildRepoIndex(repo: FakeRepository): RepoIndex {
  const prByNumber = new Map<number, FakePullRequest>();
  const commitByOid = new Map<string, FakeCommit>();
  const prsByOid = new Map<string, FakePullRequest[]>();
  const collaboratorByLogin = new Map<string, FakeCollaborator>();
  for (const commit of repo.commits) commitByOid.set(commit.oid, commit);
  const associate = (oid: string, pr: FakePullRequest): void => {
    const list = prsByOid.get(oid);
    if (!list) prsByOid.set(oid, [pr]);
    else if (!list.includes(pr)) list.push(pr);
  };
  for (const pr of repo.pullRequests) {
    prByNumber.set(pr.number, pr);
    for (const oid of pr.commits) associate(oid, pr);
    if (pr.mergeCommit) associate(pr.mergeCommit, pr);
    for (const oid of pr.landedCommits ?? []) associate(oid, pr);
  }
  for (const c of repo.collaborators) collaboratorByLogin.set(lower(c.login), c);
  return { prByNumber, commitByOid, prsByOid, collaboratorByLogin };
}

function buildOrgIndex(org: FakeOrganization): OrgIndex {
  const userByLogin = new Map<string, FakeUser>();
  const userByEmail = new Map<string, FakeUser>();
  for (const user of org.users) {
    userByLogin.set(lower(user.login), user);
    for (const email of user.emails ?? []) userByEmail.set(lower(email), user);
  }
  return {
    userByLogin,
    userByEmail,
    memberByLogin: new Map(org.members.map((m) => [lower(m.login), m])),
    teamBySlug: new Map(org.teams.map((t) => [lower(t.slug), t])),
    repoByName: new Map(org.repositories.map((r) => [lower(r.name), r])),
  };
}

/** Lives as long as the server; hands out per-request views. */
export class ModelIndexCache {
  private readonly repos = new WeakMap<FakeRepository, CachedRepoIndex>();

  request(): RequestIndex {
    return new RequestIndex(this.repos);
  }
}

/** The indexes one request sees: validated at most once per request. */
export class RequestIndex {
  private readonly repoViews = new Map<FakeRepository, RepoIndex>();
  private readonly orgViews = new Map<FakeOrganization, OrgIndex>();

  constructor(private readonly cache: WeakMap<FakeRepository, CachedRepoIndex>) {}

  repo(repo: FakeRepository): RepoIndex {
    const seen = this.repoViews.get(repo);
    if (seen) return seen;
    const cached = this.cache.get(repo);
    const fingerprint = repoFingerprint(repo);
    let index: RepoIndex;
    if (
      cached &&
      cached.prs === repo.pullRequests &&
      cached.commits === repo.commits &&
      cached.collaborators === repo.collaborators &&
      cached.fingerprint === fingerprint
    ) {
      index = cached.index;
    } else {
      index = buildRepoIndex(repo);
      this.cache.set(repo, {
        prs: repo.pullRequests,
        commits: repo.commits,
        collaborators: repo.collaborators,
        fingerprint,
        index,
      });
    }
    this.repoViews.set(repo, index);
    return index;
  }

  org(org: FakeOrganization): OrgIndex {
    let index = this.orgViews.get(org);
    if (!index) {
      index = buildOrgIndex(org);
      this.orgViews.set(org, index);
    }
    return index;
  }
}
