import { GitHubError } from "../../errors/index.js";
import { oneLine } from "../../util/visible.js";
import { type GitHubClient, PageSizer, type PartialError } from "./client.js";
import { isTimeoutLike } from "./errors.js";
import {
  OPEN_BASE_FORCE_PUSHES,
  PULL_REQUEST_BASE_FORCE_PUSHES,
  PULL_REQUEST_COMMITS,
  PULL_REQUEST_EVENTS,
  PULL_REQUEST_KEYS,
  PULL_REQUEST_PAGE,
  PULL_REQUEST_REVIEWS,
  REPO_COLLABORATORS,
  REPO_PROTECTION,
  REPO_RULESETS,
} from "./queries.js";
import {
  type BaseForcePushRecord,
  baseForcePushRecords,
  type CollaboratorRecord,
  collaboratorRecord,
  commitRecord,
  eventRecords,
  type ProtectionRecord,
  type PullRequestRecord,
  protectionRecord,
  pullRequestRecord,
  type RulesetRecord,
  reviewRecord,
  rulesetRecord,
} from "./records.js";
import {
  baseForcePushesPageSchema,
  collaboratorsPageSchema,
  commitsPageSchema,
  eventsPageSchema,
  openBaseForcePushesSchema,
  type PullRequestPage,
  parseAnswer,
  protectionPageSchema,
  pullRequestKeysSchema,
  pullRequestPageSchema,
  type RawOpenPullRequest,
  type RawPullRequest,
  reviewsPageSchema,
  rulesetsPageSchema,
} from "./schemas.js";

/**
 * Walks the merged pull requests into one base branch, newest update first, page by page. Each
 * yielded page holds complete pull requests: reviews, timeline events and commits beyond the
 * first nested page are followed to the end before the page is handed on. The walk stops at the
 * first pull request updated before `stopBelow` (the previous run's watermark).
 */

export interface RepoRef {
  owner: string;
  name: string;
  /** "repo acme/api", for messages. */
  what: string;
}

export interface WalkParams {
  base: string;
  /** Continue after this cursor (a walk cut short), or start at the newest. */
  cursor: string | null;
  stopBelow: string | null;
  /** Also read the repository's access and protection settings with the first page. */
  withSnapshot: boolean;
  /** Also read the base-branch force pushes on the open pull requests with the first page. */
  withOpen?: boolean;
  /** Size of the first page (a small probe when the run is incremental); later ones follow the sizer. */
  firstPageSize?: number;
  /**
   * Whether this exact version is stored already: the walk re-reads pull requests updated at the
   * watermark itself (another may share that second), and skips the ones it has.
   */
  unchanged?: (number: number, updatedAt: string) => boolean;
}

export interface RepoSettings {
  defaultBranch: string | null;
  collaborators: CollaboratorRecord[];
  protection: ProtectionRecord[];
  rulesets: RulesetRecord[];
  /** Lists the credentials may not read (e.g. collaborators without push access): a snapshot gap. */
  unreadable: string[];
}

export interface WalkPage {
  prs: PullRequestRecord[];
  /** Where the next page starts; null at the end (or, not done, at the top of the list). */
  cursor: string | null;
  /** The walk reached its end or its watermark. */
  done: boolean;
  /** Newest update seen on this walk's first page (its new watermark once complete). */
  top: string | null;
  /** How many merged pull requests into the base GitHub counted when the walk began. */
  total: number;
  /** Pull requests stepped over because GitHub timed out on them alone. */
  skipped: { number: number; reason: string }[];
  /** Pull requests stored with less than GitHub knows of them (GitHub lists 250 commits at most). */
  partial: string[];
  settings?: RepoSettings;
  /** With `withOpen`: the force pushes to the base recorded on open pull requests' timelines. */
  openForcePushes?: BaseForcePushRecord[];
}

const SNAPSHOT_FIELDS = new Set(["collaborators", "branchProtectionRules", "rulesets"]);

export async function* walkPullRequests(
  client: GitHubClient,
  repo: RepoRef,
  sizer: PageSizer,
  params: WalkParams,
): AsyncGenerator<WalkPage> {
  let cursor = params.cursor;
  let top: string | null = null;
  let total = 0;
  let first = true;
  // Snapshot lists ride along with the first page unless they make GitHub drop the repository.
  let snapshotInline = params.withSnapshot;
  const what = `${repo.what}: pull requests into ${params.base}`;
  // Nested lists beyond their first page: up to 100 a page, halved while GitHub times out.
  const nestedSizer = new PageSizer(100, 1);
  for (;;) {
    const withSnapshot = first && snapshotInline;
    const withOpen = first && params.withOpen === true;
    const pageSize = first && params.firstPageSize ? Math.min(params.firstPageSize, sizer.size) : undefined;
    let answer: { data: unknown; errors: PartialError[] };
    try {
      answer = await client.heavy<unknown>(
        what,
        sizer,
        (size) => ({
          query: PULL_REQUEST_PAGE,
          variables: {
            owner: repo.owner,
            name: repo.name,
            base: params.base,
            pageSize: pageSize ?? size,
            cursor,
            withSnapshot,
            withOpen,
          },
        }),
        // Access lists the credentials may not read leave a gap in the snapshot, not in the PRs.
        (path) => path[0] === "repository" && SNAPSHOT_FIELDS.has(String(path[1])),
      );
    } catch (e) {
      // GitHub times out even on one pull request: step over it, named, rather than stall here
      // in every later run.
      if (!(e instanceof GitHubError) || !isTimeoutLike(e) || sizer.size > sizer.min) throw e;
      const skip = await nextPullRequest(client, repo, params.base, cursor, what);
      if (!skip) throw e;
      const below = params.stopBelow !== null && skip.updatedAt < params.stopBelow;
      const done = below || !skip.hasNext;
      cursor = skip.cursor;
      if (first) top = skip.updatedAt;
      yield {
        prs: [],
        cursor: done ? null : cursor,
        done,
        top,
        total,
        skipped: below ? [] : [{ number: skip.number, reason: e.message }],
        partial: [],
      };
      if (done) return;
      first = false;
      continue;
    }
    const page = parseAnswer(pullRequestPageSchema, answer.data, what);
    if (!page.repository) {
      if (withSnapshot && answer.errors.length > 0) {
        // A non-null list the credentials may not read (branch protection) nulls the repository
        // itself: ask again without the lists, and read them one by one.
        snapshotInline = false;
        continue;
      }
      throw notFound(repo);
    }
    const conn = page.repository.pullRequests;
    if (first) {
      top = conn.nodes[0]?.updatedAt ?? null;
      total = conn.totalCount;
    }
    const prs: PullRequestRecord[] = [];
    const partial: string[] = [];
    let reachedWatermark = false;
    for (const raw of conn.nodes) {
      if (params.stopBelow !== null && raw.updatedAt < params.stopBelow) {
        reachedWatermark = true;
        break;
      }
      if (params.unchanged?.(raw.number, raw.updatedAt)) continue;
      let pr: PullRequestRecord;
      try {
        pr = await completePullRequest(client, repo, raw, nestedSizer);
      } catch (e) {
        // A follow-up page failed for good: the pull requests before it were read whole, so they
        // are handed on to be stored, with the walk still at this page's start (the page has no
        // cursor between them); the next run re-reads the page and skips the ones it stored.
        if (prs.length > 0) yield { prs, cursor, done: false, top, total, skipped: [], partial };
        throw e;
      }
      if (pr.commits.length < raw.commits.totalCount) {
        partial.push(
          `pull request #${raw.number} has ${raw.commits.totalCount} commits, GitHub listed ${pr.commits.length}`,
        );
      }
      prs.push(pr);
    }
    const settings =
      first && params.withSnapshot
        ? withSnapshot
          ? await readSettings(client, repo, page.repository.defaultBranchRef?.name ?? null, {
              page,
              errors: answer.errors,
            })
          : await readSettings(client, repo, page.repository.defaultBranchRef?.name ?? null)
        : undefined;
    const open = page.repository.openPullRequests;
    const openForcePushes =
      withOpen && open ? await readOpenBaseForcePushes(client, repo, params.base, open) : undefined;
    const done = reachedWatermark || !conn.pageInfo.hasNextPage;
    cursor = conn.pageInfo.endCursor;
    yield {
      prs,
      cursor: done ? null : cursor,
      done,
      top,
      total,
      skipped: [],
      partial,
      ...(settings ? { settings } : {}),
      ...(openForcePushes ? { openForcePushes } : {}),
    };
    if (done) return;
    first = false;
  }
}

/** The next pull request after `cursor`, by a query too light to time out. */
async function nextPullRequest(
  client: GitHubClient,
  repo: RepoRef,
  base: string,
  cursor: string | null,
  what: string,
): Promise<{ number: number; updatedAt: string; cursor: string | null; hasNext: boolean } | undefined> {
  const data = parseAnswer(
    pullRequestKeysSchema,
    await client.query<unknown>(`${what} (stepping over one)`, PULL_REQUEST_KEYS, {
      owner: repo.owner,
      name: repo.name,
      base,
      cursor,
    }),
    what,
  );
  const conn = data.repository?.pullRequests;
  const node = conn?.nodes[0];
  if (!conn || !node) return undefined;
  return {
    number: node.number,
    updatedAt: node.updatedAt,
    cursor: conn.pageInfo.endCursor,
    hasNext: conn.pageInfo.hasNextPage,
  };
}

async function completePullRequest(
  client: GitHubClient,
  repo: RepoRef,
  raw: RawPullRequest,
  sizer: PageSizer,
): Promise<PullRequestRecord> {
  const pr = pullRequestRecord(raw);
  const what = `${repo.what}: pull request #${raw.number}`;
  const follow = (list: string, query: string, after: { hasNextPage: boolean; endCursor: string | null }) =>
    after.hasNextPage ? followPages(client, sizer, `${what} ${list}`, query, raw.id, after.endCursor, list) : [];
  for await (const data of follow("reviews", PULL_REQUEST_REVIEWS, raw.reviews.pageInfo)) {
    const p = parseAnswer(reviewsPageSchema, data, `${what} reviews`);
    pr.reviews.push(...(p.node?.reviews?.nodes ?? []).map(reviewRecord));
  }
  for await (const data of follow("timelineItems", PULL_REQUEST_EVENTS, raw.timelineItems.pageInfo)) {
    const p = parseAnswer(eventsPageSchema, data, `${what} timeline`);
    pr.events.push(...eventRecords(p.node?.timelineItems?.nodes ?? []));
  }
  for await (const data of follow("commits", PULL_REQUEST_COMMITS, raw.commits.pageInfo)) {
    const p = parseAnswer(commitsPageSchema, data, `${what} commits`);
    pr.commits.push(...(p.node?.commits?.nodes ?? []).map((n) => commitRecord(n.commit)));
  }
  return pr;
}

/**
 * The further pages of one nested list of a pull request (by its node id), with the page size
 * halved while GitHub times out, like the pages of pull requests themselves.
 */
async function* followPages(
  client: GitHubClient,
  sizer: PageSizer,
  what: string,
  query: string,
  id: string,
  from: string | null,
  list: string,
): AsyncGenerator<unknown> {
  let cursor = from;
  for (;;) {
    const { data } = await client.heavy<unknown>(what, sizer, (pageSize) => ({
      query,
      variables: { id, pageSize, cursor },
    }));
    yield data;
    const conn = (
      data as { node?: Record<string, { pageInfo?: { hasNextPage?: boolean; endCursor?: string | null } }> }
    ).node?.[list];
    const next = conn?.pageInfo;
    if (!next?.hasNextPage || !next.endCursor || next.endCursor === cursor) return;
    cursor = next.endCursor;
  }
}

/**
 * The repository's access and protection lists. With the first page's answer (`inline`), each
 * list starts with what rode along and is followed from its cursor; a list GitHub refused there
 * is a named gap. Without it, each list is read by its own paginated query, so that one the
 * credentials may not read is a named gap and the others are still read.
 */
async function readSettings(
  client: GitHubClient,
  repo: RepoRef,
  defaultBranch: string | null,
  inline?: { page: PullRequestPage; errors: readonly PartialError[] },
): Promise<RepoSettings> {
  const full = `${repo.owner}/${repo.name}`;
  const r = inline?.page.repository;
  const unreadable = new Set(inline?.errors.map((e) => oneLine(`${String(e.path[1])} (${e.type})`)) ?? []);
  const list = async <T>(
    field: string,
    query: string,
    fromPage: (data: unknown, what: string) => T[],
    first: { items: T[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } | undefined,
  ): Promise<T[]> => {
    // Refused in the first page's answer: the gap is already named by its error.
    if (inline && !first) return [];
    const items = first ? [...first.items] : [];
    if (first && !first.pageInfo.hasNextPage) return items;
    const what = `${repo.what}: ${field}`;
    try {
      for await (const data of client.pages<unknown>(what, query, {
        owner: repo.owner,
        name: repo.name,
        cursor: first?.pageInfo.endCursor ?? null,
      })) {
        items.push(...fromPage(data, what));
      }
    } catch (e) {
      if (!(e instanceof GitHubError) || (e.code !== "E_GITHUB_FORBIDDEN" && e.code !== "E_GITHUB_SCOPES")) throw e;
      unreadable.add(`${field} (${e.code === "E_GITHUB_SCOPES" ? "INSUFFICIENT_SCOPES" : "FORBIDDEN"})`);
    }
    return items;
  };
  const collaborators = await list(
    "collaborators",
    REPO_COLLABORATORS,
    (data, what) =>
      (parseAnswer(collaboratorsPageSchema, data, what).repository?.collaborators?.edges ?? []).map((c) =>
        collaboratorRecord(full, c),
      ),
    r?.collaborators
      ? { items: r.collaborators.edges.map((c) => collaboratorRecord(full, c)), pageInfo: r.collaborators.pageInfo }
      : undefined,
  );
  const protection = await list(
    "branchProtectionRules",
    REPO_PROTECTION,
    (data, what) =>
      (parseAnswer(protectionPageSchema, data, what).repository?.branchProtectionRules?.nodes ?? []).map((x) =>
        protectionRecord(full, x),
      ),
    r?.branchProtectionRules
      ? {
          items: r.branchProtectionRules.nodes.map((x) => protectionRecord(full, x)),
          pageInfo: r.branchProtectionRules.pageInfo,
        }
      : undefined,
  );
  const rulesets = await list(
    "rulesets",
    REPO_RULESETS,
    (data, what) =>
      (parseAnswer(rulesetsPageSchema, data, what).repository?.rulesets?.nodes ?? []).map((x) =>
        rulesetRecord(full, x),
      ),
    r?.rulesets
      ? { items: r.rulesets.nodes.map((x) => rulesetRecord(full, x)), pageInfo: r.rulesets.pageInfo }
      : undefined,
  );
  return { defaultBranch, collaborators, protection, rulesets, unreadable: [...unreadable].sort() };
}

/**
 * Force pushes to `base` recorded on the timelines of the open pull requests into it, each
 * timeline followed to its end. With `first` (the open pull requests the walk's first page
 * carried), the list goes on from its cursor; without it, it is read from the start.
 */
export async function readOpenBaseForcePushes(
  client: GitHubClient,
  repo: RepoRef,
  base: string,
  first?: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: RawOpenPullRequest[] },
): Promise<BaseForcePushRecord[]> {
  const what = `${repo.what}: force pushes to ${base} on open pull requests`;
  const out: BaseForcePushRecord[] = [];
  const take = async (prs: readonly RawOpenPullRequest[]): Promise<void> => {
    for (const pr of prs) {
      out.push(...baseForcePushRecords(pr.number, pr.timelineItems.nodes));
      if (!pr.timelineItems.pageInfo.hasNextPage) continue;
      const more = `${repo.what}: pull request #${pr.number} force pushes to its base`;
      for await (const data of client.pages<unknown>(more, PULL_REQUEST_BASE_FORCE_PUSHES, {
        id: pr.id,
        cursor: pr.timelineItems.pageInfo.endCursor,
      })) {
        const p = parseAnswer(baseForcePushesPageSchema, data, more);
        out.push(...baseForcePushRecords(pr.number, p.node?.timelineItems?.nodes ?? []));
      }
    }
  };
  if (first) {
    await take(first.nodes);
    if (!first.pageInfo.hasNextPage) return out;
  }
  for await (const data of client.pages<unknown>(what, OPEN_BASE_FORCE_PUSHES, {
    owner: repo.owner,
    name: repo.name,
    base,
    cursor: first?.pageInfo.endCursor ?? null,
  })) {
    const page = parseAnswer(openBaseForcePushesSchema, data, what);
    if (!page.repository) throw notFound(repo);
    await take(page.repository.pullRequests.nodes);
  }
  return out;
}

function notFound(repo: RepoRef): GitHubError {
  return new GitHubError(
    "E_GITHUB_NOT_FOUND",
    `${repo.what}: GitHub has no repository ${repo.owner}/${repo.name} visible to these credentials`,
  );
}
