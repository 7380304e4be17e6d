import { type ResolvedRepo, sourceText } from "../../config/load.js";
import { messageOf } from "../../errors/index.js";
import type { Logger } from "../../log/logger.js";
import type { DB } from "../../store/db.js";
import { lastTips, upsertRepo } from "../../store/git-store.js";
import {
  commitsToLookUp,
  readWatermark,
  storeBaseForcePushes,
  storeCommitLookups,
  storedPullRequests,
  storedVersions,
  storePullRequestPage,
  storeSnapshot,
  storeWatermark,
  type Watermark,
} from "../../store/github-store.js";
import { finishRun, lastRunCounts, sealFailed, startRun } from "../../store/ledger.js";
import { type GitHubClient, PageSizer } from "./client.js";
import { readOrgAccess } from "./org-access.js";
import {
  type RepoRef,
  type RepoSettings,
  readOpenBaseForcePushes,
  type WalkPage,
  walkPullRequests,
} from "./pull-requests.js";
import { commitPullRequestsQuery, DEFAULT_BRANCH, queryDigests } from "./queries.js";
import { commitPullRequestsSchema, parseAnswer } from "./schemas.js";

/**
 * GitHub collection runs: one for the organisation (members, teams) and one per repository (its
 * merged pull requests, access and protection settings, and the pull requests of protected-branch
 * commits nothing else explains). Each is a ledger run; pages are committed as they come, so a
 * run that fails keeps what it stored and the next one resumes from the saved cursor.
 */

export interface GitHubCollectOptions {
  log: Logger;
  now?: () => Date;
  /** Largest page of pull requests. */
  pageSize: number;
}

export interface GitHubRepoResult {
  repo: string;
  runId: number;
  pullRequests: number;
  lookups: number;
  snapshot: boolean;
  /** What this run could not collect (lists the credentials may not read, counts that do not add up). */
  gaps: string[];
  /** Per base branch: merged pull requests GitHub counts that the store lacks after this run. */
  missing: Record<string, number>;
}

export interface GitHubOrgResult {
  org: string;
  runId: number;
  members: number;
  teams: number;
  memberLogins: ReadonlySet<string>;
}

/** Size of the first page when the run is incremental: usually all there is to read. */
const PROBE_PAGE = 10;
/** Commits per associatedPullRequests query. */
const LOOKUP_BATCH = 50;

export async function collectGitHubOrg(
  db: DB,
  client: GitHubClient,
  org: string,
  opts: GitHubCollectOptions,
): Promise<GitHubOrgResult> {
  const now = opts.now ?? (() => new Date());
  const runId = startRun(db, {
    source: "github-org",
    scope: { org },
    parameters: { endpoint: client.endpoint, queries: queryDigests() },
    now: now(),
  });
  const before = { ...client.stats };
  try {
    // An App's installation token is minted here: a refused key is this run's recorded failure.
    await client.authenticate();
    const access = await readOrgAccess(client, org);
    storeSnapshot(db, runId, {
      org,
      takenAt: now(),
      twoFactorVisible: access.twoFactorVisible,
      members: access.members,
      teams: access.teams,
      repos: [],
      collaborators: [],
      protection: [],
      rulesets: [],
      memberLogins: null,
    });
    finishRun(db, runId, {
      status: "succeeded",
      counts: { members: access.members.length, teams: access.teams.length, ...spent(client, before) },
      now: now(),
    });
    return {
      org,
      runId,
      members: access.members.length,
      teams: access.teams.length,
      memberLogins: new Set(access.members.map((m) => m.login)),
    };
  } catch (e) {
    sealFailed(db, runId, { counts: spent(client, before), error: messageOf(e), now: now() });
    throw e;
  }
}

export function githubName(repo: ResolvedRepo): { owner: string; name: string } {
  const full = repo.github ?? repo.name;
  const [owner = "", name = ""] = full.split("/");
  return { owner, name };
}

export async function collectGitHubRepo(
  db: DB,
  client: GitHubClient,
  repo: ResolvedRepo,
  org: { name: string; memberLogins: ReadonlySet<string> | null },
  opts: GitHubCollectOptions,
): Promise<GitHubRepoResult> {
  const now = opts.now ?? (() => new Date());
  const log = opts.log.child({ repo: repo.name });
  const { owner, name } = githubName(repo);
  const ref: RepoRef = { owner, name, what: `repo ${repo.name}` };
  const source = sourceText(repo);
  const repoId = upsertRepo(db, repo.name, repo.role, source);
  const runId = startRun(db, {
    source: "github",
    scope: {
      repo: repo.name,
      github: `${owner}/${name}`,
      protectedBranches: repo.protectedBranches ?? "(default branch)",
    },
    parameters: { endpoint: client.endpoint, queries: queryDigests(), pageSize: opts.pageSize, state: "MERGED" },
    now: now(),
  });
  const before = { ...client.stats };
  const result: GitHubRepoResult = {
    repo: repo.name,
    runId,
    pullRequests: 0,
    lookups: 0,
    snapshot: false,
    gaps: [],
    missing: {},
  };
  const counts = (): Record<string, number> => ({
    pullRequests: result.pullRequests,
    lookups: result.lookups,
    ...Object.fromEntries(Object.entries(result.missing).map(([b, n]) => [`missing:${b}`, n])),
    ...spent(client, before),
  });
  try {
    const bases = repo.protectedBranches ?? [await defaultBranch(db, client, repoId, ref)];
    const sizer = new PageSizer(opts.pageSize, 1);
    // Stored the moment it is read, in its own transaction: a later failure in this run must not
    // cost the run its access and protection snapshot.
    const onSettings = (settings: RepoSettings): void => {
      storeSnapshot(db, runId, {
        org: org.name,
        takenAt: now(),
        twoFactorVisible: false,
        members: [],
        teams: [],
        repos: [`${owner}/${name}`],
        defaultBranches: { [`${owner}/${name}`]: settings.defaultBranch },
        collaborators: settings.collaborators,
        protection: settings.protection,
        rulesets: settings.rulesets,
        memberLogins: org.memberLogins,
      });
      result.snapshot = true;
      result.gaps.push(...settings.unreadable);
      for (const u of settings.unreadable) {
        log.warn("not readable with these credentials; the access snapshot has a gap", { list: u });
      }
    };
    const previous = lastRunCounts(db, "github", repo.name);
    for (const [i, base] of bases.entries()) {
      const walked = await walkBase(db, client, ref, repoId, runId, base, sizer, i === 0 ? onSettings : undefined, {
        log,
        knownShortfall: previous?.[`missing:${base}`] ?? 0,
      });
      result.pullRequests += walked.pullRequests;
      result.missing[base] = walked.missing;
      result.gaps.push(...walked.partial);
      for (const k of walked.skipped) {
        result.gaps.push(`pull request #${k.number} into ${base} skipped: ${k.reason}`);
      }
      if (walked.missing > 0) {
        result.gaps.push(`${walked.missing} merged pull requests into ${base} that GitHub counts but did not list`);
      }
    }
    for (const base of bases) result.lookups += await lookUpUnexplained(db, client, ref, repoId, runId, base);
    finishRun(db, runId, {
      status: "succeeded",
      counts: counts(),
      ...(result.gaps.length > 0 ? { error: `gaps: ${result.gaps.join(", ")}` } : {}),
      now: now(),
    });
    return result;
  } catch (e) {
    sealFailed(db, runId, { counts: counts(), error: messageOf(e), now: now() });
    throw e;
  }
}

/**
 * One base branch. First the newest updates, down to where the last complete walk began (so a
 * range an interrupted walk left can never hold the new ones back); then that interrupted range,
 * from its saved cursor down to the old watermark. Each page is stored with the walk's position,
 * in one transaction. Updates only move a pull request to the top of the UPDATED_AT order, where
 * the next walk finds it, so a walk can repeat one but not skip one. The store's count is still
 * checked against GitHub's (free with the first page): a shortfall, whatever its cause, is made
 * good by a walk from the top and, failing that, by reading the whole list (resumable; pages cost
 * about 2 points; unchanged pull requests are not stored again). What still misses is a gap, and
 * the same shortfall is not read for again in the next run.
 */
async function walkBase(
  db: DB,
  client: GitHubClient,
  ref: RepoRef,
  repoId: number,
  runId: number,
  base: string,
  sizer: PageSizer,
  onSettings: ((s: RepoSettings) => void) | undefined,
  o: { log: Logger; knownShortfall: number },
): Promise<{ pullRequests: number; missing: number; skipped: WalkPage["skipped"]; partial: string[] }> {
  const unchanged = storedVersions(db, repoId);
  const state = {
    pullRequests: 0,
    total: undefined as number | undefined,
    skipped: [] as WalkPage["skipped"],
    partial: [] as string[],
  };
  let wantSettings = onSettings !== undefined;
  // Force pushes to the base on open pull requests ride along with the first page that is read.
  let wantOpen = true;
  const walk = async (
    from: { cursor: string | null; stopBelow: string | null; firstPageSize?: number },
    mark: (page: WalkPage) => Watermark,
  ): Promise<void> => {
    for await (const page of walkPullRequests(client, ref, sizer, {
      base,
      ...from,
      withSnapshot: wantSettings,
      withOpen: wantOpen,
      unchanged,
    })) {
      if (page.settings) onSettings?.(page.settings);
      wantSettings = false;
      if (page.openForcePushes) {
        storeBaseForcePushes(db, repoId, runId, base, page.openForcePushes);
        wantOpen = false;
      }
      if (from.cursor === null) state.total = page.total;
      state.skipped.push(...page.skipped);
      state.partial.push(...page.partial);
      const next = mark(page);
      if (page.prs.length > 0) storePullRequestPage(db, repoId, runId, page.prs, base, next);
      else storeWatermark(db, repoId, base, runId, next);
      state.pullRequests += page.prs.length;
      o.log.progress("pull requests", { base, read: state.pullRequests });
    }
  };
  /** From the top down to `stop`; `rest` is the interrupted range still to do, if any. */
  const headWalk = async (stop: string | null, rest: Watermark["pending"], floor: string | null): Promise<void> => {
    let newest = stop;
    await walk({ cursor: null, stopBelow: stop, ...(stop ? { firstPageSize: PROBE_PAGE } : {}) }, (page) => {
      if (page.top !== null && (newest === null || page.top > newest)) newest = page.top;
      if (rest) {
        // Only one walk's position is kept: an interrupted head walk is simply walked again.
        return { updatedAt: floor, pending: page.done ? { cursor: rest.cursor, top: newest ?? rest.top } : rest };
      }
      return page.done
        ? { updatedAt: newest, pending: null }
        : { updatedAt: floor, pending: { cursor: page.cursor ?? "", top: newest ?? "" } };
    });
  };
  const resume = async (): Promise<void> => {
    const w = readWatermark(db, repoId, base);
    if (!w.pending) return;
    const { cursor, top } = w.pending;
    o.log.info("resuming an interrupted pull-request walk", { base });
    // An empty cursor: the interrupted walk had stored no page yet, so it starts at the top.
    await walk({ cursor: cursor || null, stopBelow: w.updatedAt }, (page) =>
      page.done
        ? { updatedAt: top, pending: null }
        : { updatedAt: w.updatedAt, pending: { cursor: page.cursor ?? cursor, top } },
    );
  };

  const before = readWatermark(db, repoId, base);
  await headWalk(before.pending ? before.pending.top : before.updatedAt, before.pending, before.updatedAt);
  await resume();

  const shortfall = (): number => (state.total ?? 0) - storedPullRequests(db, repoId, base) - state.skipped.length;
  if (shortfall() > 0 && before.updatedAt !== null) {
    // Pull requests updated while this run walked sit above its top: one more head walk.
    const w = readWatermark(db, repoId, base);
    await headWalk(w.updatedAt, null, w.updatedAt);
  }
  if (shortfall() > 0 && shortfall() !== o.knownShortfall) {
    o.log.warn("merged pull requests missing; reading the whole list", { base, missing: shortfall() });
    const w = readWatermark(db, repoId, base);
    // As an interrupted walk from the top to the end: the next run resumes it if this one stops.
    storeWatermark(db, repoId, base, runId, { updatedAt: null, pending: { cursor: "", top: w.updatedAt ?? "" } });
    await walk({ cursor: null, stopBelow: null }, (page) =>
      page.done
        ? { updatedAt: w.updatedAt, pending: null }
        : { updatedAt: null, pending: { cursor: page.cursor ?? "", top: w.updatedAt ?? "" } },
    );
  }
  // No page carried them (the first was stepped over): read on their own.
  if (wantOpen) storeBaseForcePushes(db, repoId, runId, base, await readOpenBaseForcePushes(client, ref, base));
  return {
    pullRequests: state.pullRequests,
    missing: Math.max(0, shortfall()),
    skipped: state.skipped,
    partial: state.partial,
  };
}

/** The default branch as the git collector last saw it protected, else as GitHub names it. */
async function defaultBranch(db: DB, client: GitHubClient, repoId: number, ref: RepoRef): Promise<string> {
  const known = lastTips(db, repoId).find((t) => t.protected === 1 && t.ref.startsWith("refs/heads/"));
  if (known) return known.ref.slice("refs/heads/".length);
  const data = await client.query<{ repository: { defaultBranchRef: { name: string } | null } | null }>(
    `${ref.what}: default branch`,
    DEFAULT_BRANCH,
    { owner: ref.owner, name: ref.name },
  );
  const name = data.repository?.defaultBranchRef?.name;
  if (!name) throw new Error(`${ref.what}: GitHub reports no default branch`);
  return name;
}

/**
 * Protected-branch commits that no stored pull request lists among its commits are looked up once
 * each: GitHub's associatedPullRequests maps merge, squash and rebase merges to their PR and finds
 * none for a direct push, and GitHub says whose accounts made the commit and whether it verified
 * its signature. The answer is stored either way, so a commit is never asked about twice.
 */
async function lookUpUnexplained(
  db: DB,
  client: GitHubClient,
  ref: RepoRef,
  repoId: number,
  runId: number,
  base: string,
): Promise<number> {
  let total = 0;
  for (;;) {
    const oids = commitsToLookUp(db, repoId, base, LOOKUP_BATCH);
    if (oids.length === 0) return total;
    const what = `${ref.what}: pull requests of ${oids.length} commits on ${base}`;
    const vars: Record<string, unknown> = { owner: ref.owner, name: ref.name };
    oids.forEach((o, i) => {
      vars[`o${i}`] = o;
    });
    const data = parseAnswer(
      commitPullRequestsSchema,
      await client.query<unknown>(what, commitPullRequestsQuery(oids.length), vars),
      what,
    );
    const lookups = oids.map((oid, i) => {
      const hit = data.repository?.[`c${i}`];
      const commit = hit && typeof hit === "object" ? hit : null;
      const prs = commit?.associatedPullRequests.nodes ?? [];
      return {
        oid,
        pullRequests: prs.filter((p) => p.state === "MERGED" && p.baseRefName === base).map((p) => p.number),
        found: commit !== null,
        authorLogin: commit?.author?.user?.login ?? null,
        committerLogin: commit?.committer?.user?.login ?? null,
        authors: (commit?.authors.nodes ?? []).flatMap((a) =>
          a ? [[a.name, a.email, a.user?.login ?? null] as [string | null, string | null, string | null]] : [],
        ),
        signature: commit?.signature
          ? {
              kind: commit.signature.__typename,
              state: commit.signature.state,
              valid: commit.signature.isValid,
              signer: commit.signature.signer?.login ?? null,
            }
          : null,
      };
    });
    storeCommitLookups(db, repoId, runId, lookups);
    total += lookups.length;
  }
}

function spent(
  client: GitHubClient,
  before: { requests: number; points: number; retries: number },
): Record<string, number> {
  return {
    requests: client.stats.requests - before.requests,
    points: client.stats.points - before.points,
    retries: client.stats.retries - before.retries,
  };
}
