import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepository, type FakeGitHub, startFakeGitHub } from "../../src/demo/fake-github/index.js";
import { RepoFactory } from "../../src/demo/repo-factory.js";
import { type CliResult, runCliAsync } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * `changeproof collect` with a github section, through the built CLI against the fake GitHub: a
 * good run, then each kind of bad input GitHub can give. Each failure is one line naming what
 * failed, a non-zero exit, no token anywhere, and nothing already stored is lost.
 */

const TOKEN = "cli-test-token-9f8e7d6c5b4a";
const root = tempDir("changeproof-cli-github-");
const env = { NO_PROXY: "127.0.0.1", no_proxy: "127.0.0.1", CP_TEST_GH_TOKEN: TOKEN };
let gh: FakeGitHub;

function writeConfig(name: string, github: Record<string, string | number>, repoGithub?: string): string {
  const file = path.join(root, `${name}.yaml`);
  const lines = [
    `database: ${name}.db`,
    "repos:",
    "  - name: acme/api",
    "    source: api",
    "    role: app",
    "    protectedBranches: [main]",
    ...(repoGithub ? [`    github: ${repoGithub}`] : []),
    "github:",
    ...Object.entries({ tokenEnv: "CP_TEST_GH_TOKEN", maxRetries: 0, timeoutSeconds: 5, ...github }).map(
      ([k, v]) => `  ${k}: ${v}`,
    ),
  ];
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const collect = (config: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  runCliAsync(["collect", "-c", config], { env: { ...env, ...extraEnv } });

function prCount(db: string): number {
  const d = new Database(path.join(root, db), { readonly: true });
  try {
    return (d.prepare("SELECT count(*) AS n FROM gh_pull_requests").get() as { n: number }).n;
  } finally {
    d.close();
  }
}

function expectOneLineFailure(r: CliResult, pattern: RegExp): void {
  expect(r.status).not.toBe(0);
  const fatal = r.stderr.split("\n").filter((l) => l.startsWith("changeproof: "));
  expect(fatal).toHaveLength(1);
  expect(fatal[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(r.stdout + r.stderr).not.toContain(TOKEN);
}

beforeAll(async () => {
  const app = RepoFactory.init(path.join(root, "api"), {
    author: { name: "Alice", email: "alice@acme.example" },
    start: new Date("2026-07-01T00:00:00Z"),
  });
  app.commit("Initial commit", { files: { "README.md": "# api\n" } });
  const repo = buildRepository({ org: "acme", name: "api", pullRequests: 12, authors: ["alice", "bob"] });
  gh = await startFakeGitHub({
    orgs: [
      {
        login: "acme",
        users: [{ login: "alice" }, { login: "bob" }],
        members: [
          { login: "alice", role: "ADMIN", hasTwoFactorEnabled: true },
          { login: "bob", role: "MEMBER", hasTwoFactorEnabled: true },
        ],
        teams: [],
        repositories: [repo],
        rulesets: [],
      },
    ],
    tokens: { [TOKEN]: { login: "alice" } },
  });
});

afterAll(async () => {
  await gh.close({ allowInvalid: true });
});

describe("changeproof collect with GitHub", () => {
  it("collects git and GitHub in one run, and stores the pull requests", async () => {
    const r = await collect(writeConfig("good", { org: "acme", baseUrl: gh.restBaseUrl }));
    expect(r.stderr).not.toContain(TOKEN);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("organisation acme: run");
    expect(r.stdout).toMatch(/acme\/api \(GitHub\): run \d+ ok, 12 merged pull requests stored/);
    expect(prCount("good.db")).toBe(12);
    expect(readFileSync(path.join(root, "good.db")).toString("latin1")).not.toContain(TOKEN);
    // Nor in a report, whose cover lists the runs used (GitHub's included).
    const report = await runCliAsync(["report", "-c", path.join(root, "good.yaml"), "--period", "2026Q3"], { env });
    expect(report.stdout + report.stderr).not.toContain(TOKEN);
    // Every file of the report, the HTML export's pages and data included.
    const dir = path.join(root, "reports", "2026Q3");
    const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(files.length).toBeGreaterThan(14);
    for (const e of files) {
      expect(readFileSync(path.join(e.parentPath, e.name)).toString("latin1")).not.toContain(TOKEN);
    }
  });

  it("refuses to start without the token's environment variable, naming it (exit 2)", async () => {
    const r = await collect(writeConfig("good", { org: "acme", baseUrl: gh.restBaseUrl }), { CP_TEST_GH_TOKEN: "" });
    expect(r.status).toBe(2);
    expectOneLineFailure(r, /environment variable CP_TEST_GH_TOKEN is not set/);
    expect(prCount("good.db")).toBe(12);
  });

  it("says GitHub rejected the credentials, keeps what is stored (exit 3)", async () => {
    const r = await collect(writeConfig("good", { org: "acme", baseUrl: gh.restBaseUrl }), {
      CP_TEST_GH_TOKEN: "revoked-0000-1111-2222",
    });
    expect(r.status).toBe(3);
    expectOneLineFailure(
      r,
      /organisation acme.*GitHub rejected the credentials, the token in \$CP_TEST_GH_TOKEN \(401 Bad credentials/,
    );
    expect(r.stdout + r.stderr).not.toContain("revoked-0000-1111-2222");
    expect(prCount("good.db")).toBe(12);
  });

  it("names an unknown organisation and an unknown repository", async () => {
    const org = await collect(writeConfig("org", { org: "nosuchorg", baseUrl: gh.restBaseUrl }));
    expect(org.status).toBe(3);
    expectOneLineFailure(org, /Could not resolve to an Organization with the login of 'nosuchorg'/);
    const repo = await collect(writeConfig("repo", { org: "acme", baseUrl: gh.restBaseUrl }, "acme/nope"));
    expect(repo.status).toBe(3);
    expectOneLineFailure(repo, /acme\/api \(GitHub\).*Could not resolve to a Repository with the name 'acme\/nope'/);
  });

  it("says an Enterprise URL can't be reached, once", async () => {
    const port = await closedPort();
    const r = await collect(writeConfig("ghes", { org: "acme", baseUrl: `http://127.0.0.1:${port}/api/v3` }));
    expect(r.status).toBe(3);
    expectOneLineFailure(
      r,
      new RegExp(
        `1 source failed \\(organisation acme: members: cannot reach GitHub at http://127\\.0\\.0\\.1:${port}/api/graphql \\(ECONNREFUSED\\)\\)`,
      ),
    );
  });

  it("names a field missing from GitHub's answer", async () => {
    gh.inject({
      kind: "drop-field",
      path: "repository.pullRequests.nodes.*.headRefOid",
      match: (q) => q.operationName === "PullRequestPage",
    });
    const r = await collect(writeConfig("good", { org: "acme", baseUrl: gh.restBaseUrl }));
    expect(r.status).toBe(3);
    // An incremental run still parses its whole first page: the answer is checked before use.
    expectOneLineFailure(r, /acme\/api \(GitHub\).*pullRequests\.nodes\[0\]\.headRefOid is missing/);
    expect(prCount("good.db")).toBe(12);
  });
});
