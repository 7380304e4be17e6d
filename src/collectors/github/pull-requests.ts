import { GitHubError } from "../../errors/index.js";
import type { GitHubClient, PageSizer, PartialError } from "./client.js";
import {
  PULL_REQUEST_COMMITS,
  PULL_REQUEST_EVENTS,
  PULL_REQUEST_PAGE,
  PULL_REQUEST_REVIEWS,
  REPO_COLLABORATORS,
  REPO_PROTECTION,
  REPO_RULESETS,
} from "./queries.js";
import {
  type CollaboratorRecord,
  collaboratorRecord,
  commitRecord,
  eventRecord,
  type ProtectionRecord,
  type PullRequestRecord,
  protectionRecord,
  pullRequestRecord,
  type RulesetRecord,
  reviewRecord,
  rulesetRecord,
} from "./records.js";
import {
  collaboratorsPageSchema,
  commitsPageSchema,
  eventsPageSchema,
  type PullRequestPage,
  parseAnswer,
  protectionPageSchema,
  pullRequestPageSchema,
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
  /** Where the next page starts; null at the end. */
  cursor: string | null;
  /** The walk reached its end or its watermark. */
  done: boolean;
  /** Newest update seen on this walk's first page (its new watermark once complete). */
  top: string | null;
  /** How many merged pull requests into the base GitHub counted when the walk began. */
  total: number;
  settings?: RepoSettings;
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
  for (;;) {
    const withSnapshot = first && params.withSnapshot;
    const pageSize = first && params.firstPageSize ? Math.min(params.firstPageSize, sizer.size) : undefined;
    const what = `${repo.what}: pull requests into ${params.base}`;
    const { data, errors } = await client.heavy<unknown>(
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
        },
      }),
      // Access lists the credentials may not read leave a gap in the snapshot, not in the PRs.
      (path) => path[0] === "repository" && SNAPSHOT_FIELDS.has(String(path[1])),
    );
    const page = parseAnswer(pullRequestPageSchema, data, what);
    if (!page.repository) throw notFound(repo);
    const conn = page.repository.pullRequests;
    const prs: PullRequestRecord[] = [];
    let reachedWatermark = false;
    for (const raw of conn.nodes) {
      if (params.stopBelow !== null && raw.updatedAt < params.stopBelow) {
        reachedWatermark = true;
        break;
      }
      if (params.unchanged?.(raw.number, raw.updatedAt)) continue;
      prs.push(await completePullRequest(client, repo, raw));
    }
    if (first) {
      top = conn.nodes[0]?.updatedAt ?? null;
      total = conn.totalCount;
    }
    const settings = withSnapshot ? await readSettings(client, repo, page, errors) : undefined;
    const done = reachedWatermark || !conn.pageInfo.hasNextPage;
    cursor = conn.pageInfo.endCursor;
    yield { prs, cursor: done ? null : cursor, done, top, total, ...(settings ? { settings } : {}) };
    if (done) return;
    first = false;
  }
}

async function completePullRequest(
  client: GitHubClient,
  repo: RepoRef,
  raw: RawPullRequest,
): Promise<PullRequestRecord> {
  const pr = pullRequestRecord(raw);
  const what = `${repo.what}: pull request #${raw.number}`;
  if (raw.reviews.pageInfo.hasNextPage) {
    for await (const data of client.pages<unknown>(`${what} reviews`, PULL_REQUEST_REVIEWS, {
      id: raw.id,
      cursor: raw.reviews.pageInfo.endCursor,
    })) {
      const p = parseAnswer(reviewsPageSchema, data, `${what} reviews`);
      pr.reviews.push(...(p.node?.reviews?.nodes ?? []).map(reviewRecord));
    }
  }
  if (raw.timelineItems.pageInfo.hasNextPage) {
    for await (const data of client.pages<unknown>(`${what} timeline`, PULL_REQUEST_EVENTS, {
      id: raw.id,
      cursor: raw.timelineItems.pageInfo.endCursor,
    })) {
      const p = parseAnswer(eventsPageSchema, data, `${what} timeline`);
      pr.events.push(...(p.node?.timelineItems?.nodes ?? []).flatMap((e) => (e ? [eventRecord(e)] : [])));
    }
  }
  if (raw.commits.pageInfo.hasNextPage) {
    for await (const data of client.pages<unknown>(`${what} commits`, PULL_REQUEST_COMMITS, {
      id: raw.id,
      cursor: raw.commits.pageInfo.endCursor,
    })) {
      const p = parseAnswer(commitsPageSchema, data, `${what} commits`);
      pr.commits.push(...(p.node?.commits?.nodes ?? []).map((n) => commitRecord(n.commit)));
    }
  }
  return pr;
}

async function readSettings(
  client: GitHubClient,
  repo: RepoRef,
  page: PullRequestPage,
  errors: readonly PartialError[],
): Promise<RepoSettings> {
  const r = page.repository;
  const full = `${repo.owner}/${repo.name}`;
  const unreadable = new Set(errors.map((e) => `${String(e.path[1])} (${e.type})`));
  const settings: RepoSettings = {
    defaultBranch: r?.defaultBranchRef?.name ?? null,
    collaborators: (r?.collaborators?.edges ?? []).map((c) => collaboratorRecord(full, c)),
    protection: (r?.branchProtectionRules?.nodes ?? []).map((p) => protectionRecord(full, p)),
    rulesets: (r?.rulesets?.nodes ?? []).map((s) => rulesetRecord(full, s)),
    unreadable: [],
  };
  const vars = { owner: repo.owner, name: repo.name };
  if (r?.collaborators?.pageInfo.hasNextPage) {
    for await (const data of client.pages<unknown>(`${repo.what}: collaborators`, REPO_COLLABORATORS, {
      ...vars,
      cursor: r.collaborators.pageInfo.endCursor,
    })) {
      const p = parseAnswer(collaboratorsPageSchema, data, `${repo.what}: collaborators`);
      settings.collaborators.push(
        ...(p.repository?.collaborators?.edges ?? []).map((c) => collaboratorRecord(full, c)),
      );
    }
  }
  if (r?.branchProtectionRules?.pageInfo.hasNextPage) {
    for await (const data of client.pages<unknown>(`${repo.what}: branch protection`, REPO_PROTECTION, {
      ...vars,
      cursor: r.branchProtectionRules.pageInfo.endCursor,
    })) {
      const p = parseAnswer(protectionPageSchema, data, `${repo.what}: branch protection`);
      settings.protection.push(
        ...(p.repository?.branchProtectionRules?.nodes ?? []).map((x) => protectionRecord(full, x)),
      );
    }
  }
  if (r?.rulesets?.pageInfo.hasNextPage) {
    for await (const data of client.pages<unknown>(`${repo.what}: rulesets`, REPO_RULESETS, {
      ...vars,
      cursor: r.rulesets.pageInfo.endCursor,
    })) {
      const p = parseAnswer(rulesetsPageSchema, data, `${repo.what}: rulesets`);
      settings.rulesets.push(...(p.repository?.rulesets?.nodes ?? []).map((x) => rulesetRecord(full, x)));
    }
  }
  settings.unreadable = [...unreadable].sort();
  return settings;
}

function notFound(repo: RepoRef): GitHubError {
  return new GitHubError(
    "E_GITHUB_NOT_FOUND",
    `${repo.what}: GitHub has no repository ${repo.owner}/${repo.name} visible to these credentials`,
  );
}
