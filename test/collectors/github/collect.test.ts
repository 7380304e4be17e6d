import { generateKeyPairSync } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GitHubClient, type GitHubClientOptions } from "../../../src/collectors/github/client.js";
import { collectGitHubOrg, collectGitHubRepo } from "../../../src/collectors/github/collect.js";
import { parseConfig, type ResolvedRepo } from "../../../src/config/load.js";
import {
  buildRepository,
  type FakeGitHub,
  type FakeGitHubOptions,
  type FakeOrganization,
  type FakeRepository,
  protectionRule,
  startFakeGitHub,
} from "../../../src/demo/fake-github/index.js";
import { GitHubError } from "../../../src/errors/index.js";
import { createLogger } from "../../../src/log/logger.js";
import { type DB, openStore } from "../../../src/store/db.js";
import { baseForcePushesIn } from "../../../src/store/report-queries.js";
import { tempDir } from "../../helpers/tmp.js";

const TOKEN = "fake-token-for-acme-0123456789";
const dir = tempDir();
let n = 0;

function org(repos: FakeRepository[]): FakeOrganization {
  return {
    login: "acme",
    users: ["alice", "bob", "carol", "dave"].map((login) => ({ login, emails: [`${login}@acme.example`] })),
    members: [
      { login: "alice", role: "ADMIN", hasTwoFactorEnabled: true },
      { login: "bob", role: "MEMBER", hasTwoFactorEnabled: false },
      { login: "carol", role: "MEMBER", hasTwoFactorEnabled: true },
    ],
    teams: [
      {
        slug: "platform",
        name: "Platform",
        members: [{ login: "carol", role: "MAINTAINER" }],
        repositories: [{ name: "api", permission: "ADMIN" }],
      },
    ],
    repositories: repos,
    rulesets: [],
  };
}

function apiRepo(pullRequests: number, opts: { reviews?: number; commits?: number } = {}): FakeRepository {
  const repo = buildRepository({
    org: "acme",
    name: "api",
    pullRequests,
    reviewsPerPullRequest: opts.reviews ?? 2,
    commitsPerPullRequest: opts.commits ?? 3,
    authors: ["alice", "bob"],
    reviewers: ["bob", "carol"],
  });
  repo.collaborators = [
    {
      login: "dave",
      permission: "WRITE",
      affiliation: "OUTSIDE",
      permissionSources: [{ source: { kind: "Repository", name: "acme/api" }, permission: "WRITE" }],
    },
  ];
  repo.branchProtectionRules = [
    protectionRule("main", {
      dismissesStaleReviews: true,
      bypassPullRequestAllowances: [{ kind: "User", login: "alice" }],
    }),
  ];
  return repo;
}

interface Setup {
  gh: FakeGitHub;
  db: DB;
  client: GitHubClient;
  repo: ResolvedRepo;
  logs: string[];
}

let open: Setup[] = [];
afterEach(async () => {
  for (const s of open) {
    s.db.close();
    await s.gh.close();
  }
  open = [];
});

async function setup(
  repos: FakeRepository[],
  opts: {
    token?: string;
    maxRetries?: number;
    scopes?: string[];
    fake?: Partial<FakeGitHubOptions>;
    client?: Partial<GitHubClientOptions>;
  } = {},
): Promise<Setup> {
  const gh = await startFakeGitHub({
    orgs: [org(repos)],
    tokens: { [TOKEN]: { login: "alice", ...(opts.scopes ? { scopes: opts.scopes } : {}) } },
    ...opts.fake,
  });
  const db = openStore(path.join(dir, `gh-${n++}.db`));
  const logs: string[] = [];
  const log = createLogger({ level: "debug", json: true, write: (c) => logs.push(c) });
  const client = new GitHubClient({
    baseUrl: gh.restBaseUrl,
    auth: { kind: "token", token: opts.token ?? TOKEN, from: "GITHUB_TOKEN" },
    timeoutMs: 2_000,
    maxRetries: opts.maxRetries ?? 4,
    log,
    waitScale: 0.001,
    ...opts.client,
  });
  const cfg = parseConfig(
    `repos:\n  - name: acme/api\n    source: ${dir}\n    role: app\n    protectedBranches: [main]\ngithub:\n  org: acme\n`,
    path.join(dir, "changeproof.yaml"),
  );
  const repo = cfg.repos[0];
  if (!repo) throw new Error("no repo");
  const s = { gh, db, client, repo, logs };
  open.push(s);
  return s;
}

/** Time that passes only when the client sleeps: rate-limit waits of an hour take no time. */
function virtualClock(start: string): { now(): number; sleep(ms: number): Promise<void> } {
  let t = Date.parse(start);
  return {
    now: () => t,
    sleep: async (ms) => {
      t += ms;
    },
  };
}

const opts = (pageSize = 50) => ({ log: createLogger({ level: "error", write: () => {} }), pageSize });
const count = (db: DB, sql: string): number => (db.prepare(sql).get() as { n: number }).n;

describe("collectGitHubRepo", () => {
  it("stores every merged pull request into the protected branch with its reviews, events and commits", async () => {
    const repo = apiRepo(120);
    const paired = repo.commits.find((c) => c.oid === repo.pullRequests[6]?.commits[0]);
    if (!paired) throw new Error("no commit");
    paired.message += "\n\nCo-authored-by: Dave Contractor <dave@contractor.example>";
    const s = await setup([repo]);
    const r = await collectGitHubRepo(
      s.db,
      s.client,
      s.repo,
      { name: "acme", memberLogins: new Set(["alice", "bob", "carol"]) },
      opts(),
    );
    expect(r.pullRequests).toBe(120);
    expect(count(s.db, "SELECT count(*) n FROM gh_pull_requests")).toBe(120);
    expect(count(s.db, "SELECT count(*) n FROM gh_reviews")).toBe(240);
    expect(count(s.db, "SELECT count(*) n FROM gh_pr_commits")).toBe(360);
    expect(count(s.db, "SELECT count(*) n FROM gh_pr_events WHERE kind = 'MergedEvent'")).toBe(120);
    // Three pages of 50: at most two requests per hundred pull requests.
    expect(s.gh.requests.filter((q) => q.operationName === "PullRequestPage")).toHaveLength(3);
    const authors = s.db.prepare("SELECT authors FROM gh_pr_commits WHERE oid = ?").get(paired.oid) as {
      authors: string;
    };
    expect(JSON.parse(authors.authors)).toEqual([
      [paired.author.name, paired.author.email, paired.author.name],
      ["Dave Contractor", "dave@contractor.example", null],
    ]);
    const pr = s.db.prepare("SELECT * FROM gh_pull_requests WHERE number = 7").get() as Record<string, unknown>;
    expect(pr).toMatchObject({ state: "MERGED", base_ref: "main", review_decision: "APPROVED" });
    expect(pr.merge_commit).toMatch(/^[0-9a-f]{40}$/);
    // The access snapshot rode along with the first page.
    const collab = s.db.prepare("SELECT login, permission, outside, sources FROM gh_collaborators").all();
    expect(collab).toEqual([
      {
        login: "dave",
        permission: "WRITE",
        outside: 1,
        sources: '[{"kind":"Repository","name":"acme/api","permission":"WRITE"}]',
      },
    ]);
    const rule = s.db.prepare("SELECT pattern, settings FROM gh_protection_rules").get() as { settings: string };
    expect(JSON.parse(rule.settings)).toMatchObject({
      requiresApprovingReviews: true,
      isAdminEnforced: false,
      bypassPullRequestAllowances: ["User:alice"],
    });
    // The default branch as GitHub named it then: what a ruleset's ~DEFAULT_BRANCH protected.
    expect(s.db.prepare("SELECT repo, default_branch FROM gh_snapshot_repos").all()).toEqual([
      { repo: "acme/api", default_branch: "main" },
    ]);
    const run = s.db.prepare("SELECT status, counts, parameters FROM collection_runs WHERE id = ?").get(r.runId) as {
      status: string;
      counts: string;
      parameters: string;
    };
    expect(run.status).toBe("succeeded");
    expect(JSON.parse(run.counts)).toMatchObject({ pullRequests: 120, requests: 3 });
    expect(JSON.parse(run.parameters).queries.PullRequestPage).toMatch(/^[0-9a-f]{16}$/);
  });

  it("records MAINTAIN and TRIAGE permission sources, which GitHub's base `permission` reports as WRITE and READ", async () => {
    const repo = apiRepo(1);
    repo.collaborators.push(
      {
        login: "carol",
        permission: "MAINTAIN",
        affiliation: "DIRECT",
        permissionSources: [
          { source: { kind: "Organization", name: "acme" }, permission: "READ" },
          { source: { kind: "Team", name: "platform" }, permission: "MAINTAIN" },
        ],
      },
      {
        login: "bob",
        permission: "TRIAGE",
        affiliation: "DIRECT",
        permissionSources: [{ source: { kind: "Repository", name: "acme/api" }, permission: "TRIAGE" }],
      },
    );
    const s = await setup([repo]);
    await collectGitHubRepo(s.db, s.client, s.repo, { name: "acme", memberLogins: null }, opts());
    const rows = s.db.prepare("SELECT login, permission, sources FROM gh_collaborators ORDER BY login").all() as {
      login: string;
      permission: string;
      sources: string;
    }[];
    expect(rows.map((r) => [r.login, r.permission, JSON.parse(r.sources)])).toEqual([
      ["bob", "TRIAGE", [{ kind: "Repository", name: "acme/api", permission: "TRIAGE" }]],
      [
        "carol",
        "MAINTAIN",
        [
          { kind: "Organization", name: "acme", permission: "READ" },
          { kind: "Team", name: "platform", permission: "MAINTAIN" },
        ],
      ],
      ["dave", "WRITE", [{ kind: "Repository", name: "acme/api", permission: "WRITE" }]],
    ]);
  });

  it("follows nested lists to the end: 150 reviews and 240 commits on one pull request", async () => {
    const s = await setup([apiRepo(3, { reviews: 150, commits: 240 })]);
    const r = await collectGitHubRepo(s.db, s.client, s.repo, { name: "acme", memberLogins: null }, opts());
    expect(r.gaps).toEqual([]);
    expect(count(s.db, "SELECT count(*) n FROM gh_reviews WHERE pr_number = 2")).toBe(150);
    expect(count(s.db, "SELECT count(*) n FROM gh_pr_commits WHERE pr_number = 2")).toBe(240);
    const positions = s.db
      .prepare("SELECT position FROM gh_pr_commits WHERE pr_number = 2 ORDER BY position")
      .all() as { position: number }[];
    expect(positions.map((p) => p.position)).toEqual([...Array(240).keys()]);
    expect(s.gh.requests.some((q) => q.operationName === "PullRequestReviews")).toBe(true);
    expect(s.gh.requests.some((q) => q.operationName === "PullRequestCommits")).toBe(true);
  });

  it("halves a nested list's follow-up page when GitHub times out on it", async () => {
    const s = await setup([apiRepo(2, { commits: 240 })]);
    s.gh.inject({ kind: "bad-gateway", match: (q) => q.operationName === "PullRequestCommits" });
    const r = await collectGitHubRepo(s.db, s.client, s.repo, { name: "acme", memberLogins: null }, opts());
    expect(r.gaps).toEqual([]);
    expect(count(s.db, "SELECT count(*) n FROM gh_pr_commits WHERE pr_number = 2")).toBe(240);
    const sizes = s.gh.requests
      .filter((q) => q.operationName === "PullRequestCommits")
      .map((q) => q.variables.pageSize);
    expect(sizes.slice(0, 2)).toEqual([100, 50]);
  });

  it("names a pull request with more commits than GitHub lists (250)", async () => {
    const s = await setup([apiRepo(2, { commits: 300 })]);
    const r = await collectGitHubRepo(s.db, s.client, s.repo, { name: "acme", memberLogins: null }, opts());
    expect(r.gaps).toEqual([
      "pull request #2 has 300 commits, GitHub listed 250",
      "pull request #1 has 300 commits, GitHub listed 250",
    ]);
    expect(count(s.db, "SELECT count(*) n FROM gh_pr_commits WHERE pr_number = 2")).toBe(250);
  });

  it("asks one request when nothing changed since the last run, and re-reads a pull request that was updated", async () => {
    const s = await setup([apiRepo(60)]);
    await collectGitHubRepo(s.db, s.client, s.repo, { name: "acme", memberLogins: null }, opts());
    const before = s.gh.requests.length;
    const again = await collectGitHubRepo(s.db, s.client, s.repo, { name: "acme", memberLogins: null }, opts());
    expect(s.gh.requests.length - before).toBe(1);
    expect(again.pullRequests).toBe(0);
    expect(count(s.db, "SELECT count(*) n FROM gh_snapshots")).toBe(2);

    // A late review on an old pull request moves it to the top of the UPDATED_AT order.
    const repo = s.gh.orgs[0]?.repositories[0];
    const pr = repo?.pullRequests.find((p) => p.number === 5);
    if (!pr) throw new Error("no PR 5");
    pr.reviews.push({
      databaseId: 99_999,
      author: "carol",
      state: "COMMENTED",
      submittedAt: "2026-11-01T00:00:00Z",
      commit: pr.headRefOid,
    });
    pr.updatedAt = "2026-11-01T00:00:00Z";
    const third = await collectGitHubRepo(s.db, s.client, s.repo, { name: "acme", memberLogins: null }, opts());
    expect(third.pullRequests).toBe(1);
    expect(count(s.db, "SELECT count(*) n FROM gh_reviews WHERE pr_number = 5")).toBe(3);
  });

  it("reads the whole list again when the store holds fewer merged pull requests than GitHub counts", async () => {
    const s = await setup([apiRepo(120)]);
    await collectGitHubRepo(s.db, s.client, s.repo, { name: "acme", memberLogins: null }, opts());
    s.db.prepare("DELETE FROM gh_pull_requests WHERE number = 17").run();
    const pages = (): number => s.gh.requests.filter((q) => q.operationName === "PullRequestPage").length;
    const before = pages();
    const r = await collectGitHubRepo(s.db, s.client, s.repo, { name: "acme", memberLogins: null }, opts());
    expect(r.pullRequests).toBe(1);
    expect(r.gaps).toEqual([]);
    expect(count(s.db, "SELECT count(*) n FROM gh_pull_requests WHERE number = 17")).toBe(1);
    expect(pages() - before).toBe(1 + 1 + 3); // the probe, one more from the top, then the whole list
  });

  it("halves the page when GitHub times out on it, and loses nothing", async () => {
    const s = await setup([apiRepo(100)]);
    s.gh.inject({ kind: "bad-gateway", times: 2, match: (q) => q.operationName === "PullRequestPage" });
    const r = await collectGitHubRepo(s.db, s.client, s.repo, { name: "acme", memberLogins: null }, opts());
    expect(r.pullRequests).toBe(100);
    expect(s.client.stats.pageShrinks).toBe(2);
    const sizes = s.gh.requests.filter((q) => q.operationName === "PullRequestPage").map((q) => q.variables.pageSize);
    expect(sizes.slice(0, 3)).toEqual([50, 25, 12]);
    expect(count(s.db, "SELECT count(*) n FROM gh_pull_requests")).toBe(100);
  });

  it.each([
    ["secondary rate limit", { kind: "secondary-rate-limit", retryAfterSeconds: 2 } as const],
    ["secondary rate limit without retry-after", { kind: "secondary-rate-limit", retryAfterSeconds: null } as const],
    ["truncated body", { kind: "truncated" } as const],
    ["connection dropped before any answer", { kind: "drop-connection" } as const],
    ["gateway timeout (504)", { kind: "gateway-timeout" } as const],
    ["server error", { kind: "server-error" } as const],
    ["slow answer past the client timeout", { kind: "slow", delayMs: 3_000 } as const],
  ])("survives a %s with everything stored", async (_name, fault) => {
    const s = await setup([apiRepo(70)]);
    s.gh.inject({ ...fault, match: (q) => q.operationName === "PullRequestPage" && q.variables.cursor !== null });
    const r = await collectGitHubRepo(s.db, s.client, s.repo, { name: "acme", memberLogins: null }, opts());
    expect(r.pullRequests).toBe(70);
    expect(count(s.db, "SELECT count(*) n FROM gh_pull_requests")).toBe(70);
    expect(s.client.stats.retries).toBeGreaterThanOrEqual(1);
    // Every HTTP attempt is counted, whichever layer retried it.
    expect(s.client.stats.requests).toBe(s.gh.requests.length);
  });

  it("keeps what a failed run stored and resumes from its cursor", async () => {
    const s = await setup([apiRepo(150)], { maxRetries: 1 });
    s.gh.inject({
      kind: "bad-gateway",
      times: 10,
      match: (q) => q.operationName === "PullRequestPage" && q.variables.cursor !== null,
    });
    const failed = collectGitHubRepo(s.db, s.client, s.repo, { name: "acme", memberLogins: null }, opts());
    await expect(failed).rejects.toThrow(GitHubError);
    await expect(failed).rejects.toThrow(
      /repo acme\/api: pull requests into main: GitHub timed out on the query \(502\)/,
    );
    expect(count(s.db, "SELECT count(*) n FROM gh_pull_requests")).toBe(50);
    // The access and protection snapshot read with the first page is kept too.
    expect(count(s.db, "SELECT count(*) n FROM gh_protection_rules")).toBe(1);
    const run = s.db.prepare("SELECT status, error FROM collection_runs ORDER BY id DESC LIMIT 1").get();
    expect(run).toMatchObject({ status: "failed", error: expect.stringContaining("502") });
    const mark = s.db.prepare("SELECT updated_at, pending_cursor FROM gh_pr_watermarks").get() as Record<
      string,
      unknown
    >;
    expect(mark.updated_at).toBeNull();
    expect(mark.pending_cursor).toEqual(expect.any(String));

    // The next run, against a GitHub that recovered (same organisation, no faults queued).
    const healthy = await startFakeGitHub({ orgs: s.gh.orgs, tokens: { [TOKEN]: { login: "alice" } } });
    try {
      const client = new GitHubClient({
        baseUrl: healthy.restBaseUrl,
        auth: { kind: "token", token: TOKEN, from: "GITHUB_TOKEN" },
        timeoutMs: 2_000,
        maxRetries: 2,
        log: createLogger({ level: "error", write: () => {} }),
        waitScale: 0.001,
      });
      const resumed = await collectGitHubRepo(s.db, client, s.repo, { name: "acme", memberLogins: null }, opts());
      expect(resumed.pullRequests).toBeGreaterThanOrEqual(100);
      expect(count(s.db, "SELECT count(*) n FROM gh_pull_requests")).toBe(150);
      // It read what is newer than the interrupted walk first (a probe from the top), then went on
      // from the saved cursor instead of starting over.
      expect(healthy.requests[0]?.variables).toMatchObject({ cursor: null, pageSize: 10 });
      expect(healthy.requests[1]?.variables.cursor).toBe(mark.pending_cursor);
      const done = s.db.prepare("SELECT updated_at, pending_cursor FROM gh_pr_watermarks").get();
      expect(done).toMatchObject({ updated_at: expect.any(String), pending_cursor: null });
    } finally {
      await healthy.close();
    }
  });

  it("retries a dropped connection on a page of pull requests up to maxRetries, then stops with a transient error", async () => {
    const s = await setup([apiRepo(3)], { maxRetries: 2 });
    s.gh.inject({ kind: "drop-connection", times: 10, match: (q) => q.operationName === "PullRequestPage" });
    const e = await collectGitHubRepo(s.db, s.client, s.repo, { name: "acme", memberLogins: null }, opts()).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(GitHubError);
    expect(e).toMatchObject({ code: "E_GITHUB_DROPPED", transient: true });
    expect((e as Error).message).toMatch(
      /^repo acme\/api: pull requests into main: the connection to http:\/\/127\.0\.0\.1:\d+\/graphql was closed before the answer came \(other side closed\)$/,
    );
    expect(s.gh.requests.filter((q) => q.operationName === "PullRequestPage")).toHaveLength(3);
  });

  it("stores the whole pull requests of a page whose nested follow-up failed, and reads the rest next run", async () => {
    const repo = apiRepo(5);
    const pr3 = repo.pullRequests.find((p) => p.number === 3);
    if (!pr3) throw new Error("no PR 3");
    for (let r = 0; r < 40; r++) {
      const review = {
        databaseId: 50_000 + r,
        author: "carol",
        state: "COMMENTED",
        submittedAt: pr3.createdAt,
      } as const;
      pr3.reviews.push({ ...review, commit: pr3.headRefOid });
    }
    const s = await setup([repo], { maxRetries: 1 });
    // Both attempts of the reviews' follow-up page (the first try and its one retry) fail.
    s.gh.inject({ kind: "bad-gateway", times: 2, match: (q) => q.operationName === "PullRequestReviews" });
    await expect(
      collectGitHubRepo(s.db, s.client, s.repo, { name: "acme", memberLogins: null }, opts()),
    ).rejects.toThrow(/pull request #3 reviews: GitHub timed out on the query \(502\)/);
    // Newest first: #5 and #4 were read whole before #3 failed.
    const stored = s.db.prepare("SELECT number FROM gh_pull_requests ORDER BY number").all() as { number: number }[];
    expect(stored.map((r) => r.number)).toEqual([4, 5]);
    expect(count(s.db, "SELECT count(*) n FROM gh_reviews WHERE pr_number = 3")).toBe(0);
    const mark = s.db.prepare("SELECT updated_at, pending_cursor FROM gh_pr_watermarks").get();
    expect(mark).toMatchObject({ updated_at: null, pending_cursor: "" });

    const again = await collectGitHubRepo(s.db, s.client, s.repo, { name: "acme", memberLogins: null }, opts());
    expect(again.pullRequests).toBe(3);
    expect(count(s.db, "SELECT count(*) n FROM gh_pull_requests")).toBe(5);
    expect(count(s.db, "SELECT count(*) n FROM gh_reviews WHERE pr_number = 3")).toBe(42);
  });

  it("reads force pushes to the base from open pull requests' timelines, for C8 to name who and when", async () => {
    const repo = apiRepo(3);
    const head = repo.commits[0]?.oid ?? "";
    const push = (i: number) => ({
      kind: "BaseRefForcePushedEvent" as const,
      actor: i === 0 ? "alice" : "bob",
      createdAt: `2026-10-0${1 + (i % 9)}T10:${String(10 + i).padStart(2, "0")}:00Z`,
      beforeOid: `${String(i).padStart(2, "0")}`.repeat(20),
      afterOid: `${String(i + 50).padStart(2, "0")}`.repeat(20),
    });
    // 30 open pull requests: more than the first page carries; #140 has 12 pushes on its timeline,
    // more than its first page of events.
    for (let k = 0; k < 30; k++) {
      const number = 111 + k;
      repo.pullRequests.push({
        number,
        title: `Open ${number}`,
        author: "bob",
        createdAt: "2026-09-30T00:00:00Z",
        updatedAt: "2026-10-01T00:00:00Z",
        state: "OPEN",
        baseRefName: "main",
        headRefName: `feature/open-${number}`,
        headRefOid: head,
        reviews: [],
        timeline: number === 111 ? [push(0)] : number === 140 ? Array.from({ length: 12 }, (_, i) => push(i + 1)) : [],
        commits: [head],
      });
    }
    const s = await setup([repo]);
    const r = await collectGitHubRepo(s.db, s.client, s.repo, { name: "acme", memberLogins: null }, opts());
    expect(r.pullRequests).toBe(3);
    expect(count(s.db, "SELECT count(*) n FROM gh_pull_requests")).toBe(3);
    const pushes = baseForcePushesIn(s.db, "2026-01-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z");
    expect(pushes).toHaveLength(13);
    expect(pushes[0]).toEqual({
      repo: "acme/api",
      branch: "main",
      actor: "alice",
      at: "2026-10-01T10:10:00Z",
      before: "00".repeat(20),
      after: "50".repeat(20),
      pullRequest: 111,
    });
    expect(pushes.filter((p) => p.pullRequest === 140)).toHaveLength(12);
    const names = s.gh.requests.map((q) => q.operationName);
    expect(names.filter((n) => n === "OpenBaseForcePushes")).toHaveLength(1);
    expect(names.filter((n) => n === "PullRequestBaseForcePushes")).toHaveLength(1);

    // Nothing new: still one request, and the pushes seen again are not stored twice.
    const before = s.gh.requests.length;
    await collectGitHubRepo(s.db, s.client, s.repo, { name: "acme", memberLogins: null }, opts());
    expect(s.gh.requests.length - before).toBe(3);
    expect(count(s.db, "SELECT count(*) n FROM gh_base_force_pushes")).toBe(13);
  });

  it("reads the open pull requests' force pushes on their own when the first page was stepped over", async () => {
    const repo = apiRepo(3);
    const head = repo.commits[0]?.oid ?? "";
    repo.pullRequests.push({
      number: 9,
      title: "Open 9",
      author: "bob",
      createdAt: "2026-09-30T00:00:00Z",
      updatedAt: "2026-10-01T00:00:00Z",
      state: "OPEN",
      baseRefName: "main",
      headRefName: "feature/open-9",
      headRefOid: head,
      reviews: [],
      timeline: [
        {
          kind: "BaseRefForcePushedEvent",
          actor: "carol",
          createdAt: "2026-10-02T00:00:00Z",
          beforeOid: "a".repeat(40),
          afterOid: "b".repeat(40),
        },
      ],
      commits: [head],
    });
    const s = await setup([repo], { maxRetries: 6 });
    // The first page times out down to a single pull request, which is stepped over.
    s.gh.inject({
      kind: "bad-gateway",
      times: 7,
      match: (q) => q.operationName === "PullRequestPage" && q.variables.cursor === null,
    });
    const r = await collectGitHubRepo(s.db, s.client, s.repo, { name: "acme", memberLogins: null }, opts());
    expect(r.gaps).toEqual([expect.stringMatching(/^pull request #3 into main skipped: /)]);
    expect(s.gh.requests.filter((q) => q.operationName === "OpenBaseForcePushes")).toHaveLength(1);
    const pushes = baseForcePushesIn(s.db, "2026-01-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z");
    expect(pushes).toMatchObject([{ branch: "main", actor: "carol", pullRequest: 9 }]);
  });

  it("says which credentials GitHub refused, records the run as failed, and never shows the token", async () => {
    const s = await setup([apiRepo(3)], { token: "revoked-token-abcdef-123456" });
    const e = await collectGitHubRepo(s.db, s.client, s.repo, { name: "acme", memberLogins: null }, opts()).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(GitHubError);
    expect((e as GitHubError).code).toBe("E_GITHUB_AUTH");
    expect((e as GitHubError).message).toMatch(
      /^repo acme\/api: pull requests into main: GitHub rejected the credentials, the token in \$GITHUB_TOKEN \(401/,
    );
    expect((e as GitHubError).message).not.toContain("revoked-token");
    expect(s.logs.join("")).not.toContain("revoked-token");
    expect(readFileSync(s.db.name).toString("latin1")).not.toContain("revoked-token");
  });

  it("steps over a pull request GitHub times out on even alone, names it, and stores the rest", async () => {
    const s = await setup([apiRepo(120)], { maxRetries: 5 });
    // Every page after the first fails six times: 50, 25, 12, 6, 3 and finally 1 pull request.
    s.gh.inject({
      kind: "bad-gateway",
      times: 6,
      match: (q) => q.operationName === "PullRequestPage" && q.variables.cursor !== null,
    });
    const r = await collectGitHubRepo(s.db, s.client, s.repo, { name: "acme", memberLogins: null }, opts());
    // Newest update first: the 51st is #70.
    expect(r.gaps).toEqual([
      expect.stringMatching(/^pull request #70 into main skipped: .*GitHub timed out on the query \(502\)/),
    ]);
    expect(r.pullRequests).toBe(119);
    expect(count(s.db, "SELECT count(*) n FROM gh_pull_requests WHERE number = 70")).toBe(0);
    expect(r.missing).toEqual({ main: 0 });
    expect(s.gh.requests.some((q) => q.operationName === "PullRequestKeys")).toBe(true);
  });

  it("counts the attempts the retry plugin makes on light queries", async () => {
    const s = await setup([apiRepo(1)]);
    s.gh.inject({ kind: "server-error", times: 2, match: (q) => q.operationName === "OrgMembers" });
    await collectGitHubOrg(s.db, s.client, "acme", opts());
    expect(s.gh.requests.filter((q) => q.operationName === "OrgMembers")).toHaveLength(3);
    expect(s.client.stats.requests).toBe(s.gh.requests.length);
    const run = s.db.prepare("SELECT counts FROM collection_runs").get() as { counts: string };
    expect(JSON.parse(run.counts)).toMatchObject({ requests: s.gh.requests.length });
  });

  it("names an unknown repository, and a field missing from GitHub's answer", async () => {
    const s = await setup([apiRepo(3)]);
    const ghost = { ...s.repo, name: "acme/nope" };
    await expect(
      collectGitHubRepo(s.db, s.client, ghost, { name: "acme", memberLogins: null }, opts()),
    ).rejects.toThrow(
      /^repo acme\/nope: pull requests into main: not found on GitHub: Could not resolve to a Repository/,
    );
    s.gh.inject({ kind: "drop-field", path: "repository.pullRequests.nodes.*.number" });
    await expect(
      collectGitHubRepo(s.db, s.client, s.repo, { name: "acme", memberLogins: null }, opts()),
    ).rejects.toThrow(
      "repo acme/api: pull requests into main: GitHub's answer is not what its schema promises: repository.pullRequests.nodes[0].number is missing",
    );
  });
});

describe("rate limits", () => {
  it("stops at an exhausted budget whose reset is far off, keeps what it stored, and says until when", async () => {
    const s = await setup([apiRepo(120)]);
    s.gh.inject({
      kind: "primary-exhausted",
      match: (q) => q.operationName === "PullRequestPage" && q.variables.cursor !== null,
    });
    const e = await collectGitHubRepo(s.db, s.client, s.repo, { name: "acme", memberLogins: null }, opts()).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(GitHubError);
    expect(e).toMatchObject({ code: "E_GITHUB_RATE_LIMIT", transient: true });
    expect((e as Error).message).toMatch(
      /^repo acme\/api: pull requests into main: GitHub rate limit exhausted until 20\d\d-.*; stopped there, the next run resumes$/,
    );
    expect(count(s.db, "SELECT count(*) n FROM gh_pull_requests")).toBe(50);
    expect(s.db.prepare("SELECT status, error FROM collection_runs ORDER BY id DESC LIMIT 1").get()).toMatchObject({
      status: "failed",
      error: expect.stringContaining("rate limit exhausted"),
    });
  });

  it("waits for the reset when the budget runs low, then goes on", async () => {
    const clock = virtualClock("2026-11-01T00:00:00Z");
    const s = await setup([apiRepo(300)], {
      fake: { rateLimit: { limit: 60 }, now: () => new Date(clock.now()) },
      client: { clock, waitScale: 1, maxRateLimitWaitMs: 2 * 3_600_000 },
    });
    const r = await collectGitHubRepo(s.db, s.client, s.repo, { name: "acme", memberLogins: null }, opts());
    expect(r.pullRequests).toBe(300);
    expect(s.client.stats.rateWaits).toBeGreaterThanOrEqual(1);
    expect(s.gh.requests.every((q) => q.status === 200)).toBe(true);
    expect(s.logs.join("")).toContain("waiting for the reset");
  });
});

describe("rate limits on a GitHub Enterprise Server layout", () => {
  it("waits out an exhausted budget in the middle of a paginated list, then goes on from the same page", async () => {
    const clock = virtualClock("2026-11-01T00:00:00Z");
    const s = await setup([apiRepo(1)], {
      fake: { pathPrefix: "/api", now: () => new Date(clock.now()) },
      client: { clock, waitScale: 1, maxRateLimitWaitMs: 2 * 3_600_000 },
    });
    expect(s.client.endpoint).toBe(`${s.gh.url}/api/graphql`);
    s.gh.inject({ kind: "primary-exhausted", match: (q) => q.operationName === "OrgTeams" });
    const r = await collectGitHubOrg(s.db, s.client, "acme", opts());
    expect(r).toMatchObject({ members: 3, teams: 1 });
    expect(s.client.stats.rateWaits).toBe(1);
  });
});

describe("credentials that may not see everything", () => {
  it("says which scope a classic token lacks, and for what", async () => {
    const s = await setup([apiRepo(1)], { scopes: ["repo"] });
    await expect(collectGitHubOrg(s.db, s.client, "acme", opts())).rejects.toThrow(
      /^organisation acme: members: the token lacks a scope: .*'read:org'/,
    );
  });

  it("stores the pull requests and records a snapshot gap when collaborators need push access", async () => {
    const s = await setup([apiRepo(5)]);
    const model = s.gh.orgs[0];
    if (!model) throw new Error("no org");
    s.gh.orgs = [{ ...model, members: model.members.map((m) => ({ ...m, role: "MEMBER" as const })), teams: [] }];
    s.gh.orgs[0]?.repositories[0]?.collaborators.push({
      login: "alice",
      permission: "READ",
      affiliation: "DIRECT",
      permissionSources: [{ source: { kind: "Repository", name: "acme/api" }, permission: "READ" }],
    });
    const r = await collectGitHubRepo(s.db, s.client, s.repo, { name: "acme", memberLogins: null }, opts());
    expect(r.pullRequests).toBe(5);
    expect(r.gaps).toEqual(["collaborators (FORBIDDEN)"]);
    expect(s.db.prepare("SELECT status, error FROM collection_runs WHERE id = ?").get(r.runId)).toEqual({
      status: "succeeded",
      error: "gaps: collaborators (FORBIDDEN)",
    });
    expect(count(s.db, "SELECT count(*) n FROM gh_collaborators")).toBe(0);
    expect(count(s.db, "SELECT count(*) n FROM gh_protection_rules")).toBe(1);
  });
});

describe("collectGitHubOrg", () => {
  it("snapshots members with role and two-factor status, and teams with members and repositories", async () => {
    const s = await setup([apiRepo(1)]);
    const r = await collectGitHubOrg(s.db, s.client, "acme", opts());
    expect(r).toMatchObject({ members: 3, teams: 1 });
    expect(s.db.prepare("SELECT login, role, two_factor FROM gh_members ORDER BY login").all()).toEqual([
      { login: "alice", role: "ADMIN", two_factor: 1 },
      { login: "bob", role: "MEMBER", two_factor: 0 },
      { login: "carol", role: "MEMBER", two_factor: 1 },
    ]);
    expect(s.db.prepare("SELECT team_slug, repo, permission FROM gh_team_repos").all()).toEqual([
      { team_slug: "platform", repo: "acme/api", permission: "ADMIN" },
    ]);
    expect(s.db.prepare("SELECT two_factor_visible FROM gh_snapshots").get()).toEqual({ two_factor_visible: 1 });
  });

  it("names an organisation GitHub does not know", async () => {
    const s = await setup([]);
    await expect(collectGitHubOrg(s.db, s.client, "nosuchorg", opts())).rejects.toThrow(
      /^organisation nosuchorg: members: not found on GitHub: Could not resolve to an Organization/,
    );
  });
});

describe("GitHubClient authentication and endpoints", () => {
  it("authenticates as a GitHub App installation on a GitHub Enterprise Server layout", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const keyFile = path.join(dir, "app.pem");
    writeFileSync(keyFile, privateKey.export({ type: "pkcs1", format: "pem" }));
    const gh = await startFakeGitHub({
      orgs: [org([apiRepo(2)])],
      tokens: {},
      pathPrefix: "/api",
      apps: [
        {
          appId: 4242,
          publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
          installations: [{ id: 77, org: "acme" }],
        },
      ],
    });
    const db = openStore(path.join(dir, `gh-app-${n++}.db`));
    const logs: string[] = [];
    try {
      const client = new GitHubClient({
        baseUrl: gh.restBaseUrl,
        auth: { kind: "app", appId: 4242, privateKeyFile: keyFile, installationId: 77 },
        timeoutMs: 5_000,
        maxRetries: 1,
        log: createLogger({ level: "debug", json: true, write: (c) => logs.push(c) }),
        waitScale: 0.001,
      });
      expect(client.endpoint).toBe(`${gh.url}/api/graphql`);
      await client.authenticate();
      const r = await collectGitHubOrg(db, client, "acme", opts());
      expect(r.members).toBe(3);
      expect(gh.restRequests).toContainEqual({
        method: "POST",
        path: "/api/v3/app/installations/77/access_tokens",
        status: 201,
      });
      expect(gh.requests.every((q) => q.status === 200)).toBe(true);
      expect(logs.join("")).not.toContain("PRIVATE KEY");
    } finally {
      db.close();
      await gh.close();
    }
  });

  it("reads the lists apart when an App may not read branch protection, and records that gap", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const keyFile = path.join(dir, "app-no-admin.pem");
    writeFileSync(keyFile, privateKey.export({ type: "pkcs1", format: "pem" }));
    const s = await setup([apiRepo(3)], {
      fake: {
        apps: [
          {
            appId: 99,
            publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
            installations: [
              { id: 5, org: "acme", permissions: { pull_requests: "read", contents: "read", members: "read" } },
            ],
          },
        ],
      },
      client: { auth: { kind: "app", appId: 99, privateKeyFile: keyFile, installationId: 5 } },
    });
    const r = await collectGitHubRepo(s.db, s.client, s.repo, { name: "acme", memberLogins: null }, opts());
    expect(r.pullRequests).toBe(3);
    expect(r.gaps).toEqual(["branchProtectionRules (FORBIDDEN)"]);
    expect(count(s.db, "SELECT count(*) n FROM gh_collaborators")).toBe(1);
    expect(count(s.db, "SELECT count(*) n FROM gh_protection_rules")).toBe(0);
  });

  it("records a refused App key as the organisation run's failure", async () => {
    const registered = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const keyFile = path.join(dir, "app-wrong.pem");
    writeFileSync(keyFile, other.privateKey.export({ type: "pkcs1", format: "pem" }));
    const s = await setup([apiRepo(1)], {
      fake: {
        apps: [
          {
            appId: 7,
            publicKeyPem: registered.publicKey.export({ type: "spki", format: "pem" }).toString(),
            installations: [{ id: 8, org: "acme" }],
          },
        ],
      },
      client: { auth: { kind: "app", appId: 7, privateKeyFile: keyFile, installationId: 8 } },
    });
    await expect(collectGitHubOrg(s.db, s.client, "acme", opts())).rejects.toMatchObject({ code: "E_GITHUB_AUTH" });
    expect(s.db.prepare("SELECT source, status, error FROM collection_runs").get()).toMatchObject({
      source: "github-org",
      status: "failed",
      error: expect.stringMatching(
        /^authenticating as the GitHub App installation: GitHub rejected the credentials, GitHub App 7 \(installation 8\) \(401/,
      ),
    });
    expect(s.logs.join("")).not.toContain("PRIVATE KEY");
  });

  it("names an unreadable App key file as a config problem", () => {
    expect(
      () =>
        new GitHubClient({
          auth: { kind: "app", appId: 1, privateKeyFile: path.join(dir, "missing.pem"), installationId: 2 },
          timeoutMs: 1000,
          maxRetries: 0,
          log: createLogger({ level: "error", write: () => {} }),
        }),
    ).toThrow(/^github\.app\.privateKeyFile: cannot read .*missing\.pem/);
  });
});
