import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { GitHubClient } from "../src/collectors/github/client.js";
import { collectGitHubOrg, collectGitHubRepo } from "../src/collectors/github/collect.js";
import { parseConfig } from "../src/config/load.js";
import { buildOrganization, type Fault, startFakeGitHub } from "../src/demo/fake-github/index.js";
import { silentLogger } from "../src/log/logger.js";
import { openStore } from "../src/store/db.js";

/**
 * `npm run bench` (second part): the GitHub collector against the fake GitHub, which computes
 * each query's cost as GitHub does. Prints requests and cost points per 100 pull requests for a
 * first run, a no-op incremental run, and a first run with a 502 on every tenth heavy request.
 * Size: BENCH_GH_REPOS (20) x BENCH_GH_PRS (500) merged PRs, up to 10 reviews and 20 commits each.
 */

const REPOS = Number(process.env.BENCH_GH_REPOS ?? 20);
const PRS = Number(process.env.BENCH_GH_PRS ?? 500);
const TOKEN = "bench-token-0123456789abcdef";

const org = buildOrganization({
  login: "acme",
  repositories: REPOS,
  pullRequestsPerRepository: PRS,
  reviewsPerPullRequest: (i) => (i % 10) + 1,
  commitsPerPullRequest: (i) => (i % 20) + 1,
});
const total = REPOS * PRS;
const work = mkdtempSync(path.join(tmpdir(), "changeproof-bench-gh-"));
const cfg = parseConfig(
  `repos:\n${org.repositories.map((r) => `  - name: acme/${r.name}\n    source: ${work}\n    role: app\n    protectedBranches: [main]\n`).join("")}github:\n  org: acme\n`,
  path.join(work, "changeproof.yaml"),
);

interface Outcome {
  requests: number;
  /** Requests for pull requests (pages and nested follow-ups), without organisation and lookups. */
  prRequests: number;
  points: number;
  pullRequests: number;
  shrinks: number;
  ms: number;
}

async function run(dbFile: string, fault?: Fault): Promise<Outcome> {
  const gh = await startFakeGitHub({
    orgs: [org],
    tokens: { [TOKEN]: { login: "dev1" } },
    rateLimit: { limit: 1_000_000 },
  });
  if (fault) gh.inject(fault);
  const client = new GitHubClient({
    baseUrl: gh.restBaseUrl,
    auth: { kind: "token", token: TOKEN, from: "GITHUB_TOKEN" },
    timeoutMs: 30_000,
    maxRetries: 5,
    log: silentLogger,
    waitScale: 0.001,
  });
  const db = openStore(dbFile);
  const t0 = performance.now();
  let pullRequests = 0;
  try {
    const o = await collectGitHubOrg(db, client, "acme", { log: silentLogger, pageSize: 50 });
    for (const repo of cfg.repos) {
      const r = await collectGitHubRepo(
        db,
        client,
        repo,
        { name: "acme", memberLogins: o.memberLogins },
        {
          log: silentLogger,
          pageSize: 50,
        },
      );
      pullRequests += r.pullRequests;
    }
  } finally {
    db.close();
    await gh.close();
  }
  const s = gh.stats();
  return {
    requests: s.requests,
    prRequests: gh.requests.filter((q) => q.operationName?.startsWith("PullRequest")).length,
    points: s.points,
    pullRequests,
    shrinks: client.stats.pageShrinks,
    ms: performance.now() - t0,
  };
}

function line(name: string, o: Outcome): string {
  const per = (x: number): string => ((x * 100) / total).toFixed(2).padStart(8);
  return `${name.padEnd(34)} ${String(o.requests).padStart(8)} ${String(o.points).padStart(8)} ${per(o.requests)} ${per(o.prRequests)} ${per(o.points)} ${String(o.pullRequests).padStart(7)} ${String(o.shrinks).padStart(7)} ${o.ms.toFixed(0).padStart(8)} ms`;
}

async function main(): Promise<void> {
  console.log(
    `\nchangeproof bench: GitHub collection, ${REPOS} repos x ${PRS} merged PRs (fake GitHub, GitHub's cost formula)\n`,
  );
  console.log(`${"run".padEnd(34)} requests   points req/100PR (PR pages) pts/100PR  stored  shrinks     time`);
  const db = path.join(work, "gh.db");
  console.log(line("first run", await run(db)));
  console.log(line("no-op incremental run", await run(db)));
  let heavy = 0;
  const every10th: Fault = {
    kind: "bad-gateway",
    times: Number.MAX_SAFE_INTEGER,
    match: (q) => q.operationName === "PullRequestPage" && ++heavy % 10 === 0,
  };
  console.log(line("first run, 502 on every 10th page", await run(path.join(work, "gh-502.db"), every10th)));
  console.log(
    "\nrequests and points include the organisation's members and teams; (PR pages) counts only the pull-request queries,\nwhich also carry each repository's access and protection snapshot",
  );
  rmSync(work, { recursive: true, force: true });
}

await main();
