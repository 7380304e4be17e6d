import { describe, expect, it } from "vitest";
import type { HistoryGap } from "../../src/collectors/reconciler/history-gaps.js";
import { coverage } from "../../src/evidence/coverage.js";
import { parsePeriod } from "../../src/period.js";
import type { LedgerCheck, RunRow, RunStatus } from "../../src/store/ledger.js";

const Q3 = parsePeriod("2026Q3"); // [2026-07-01, 2026-10-01)
const AFTER = new Date("2026-11-01T00:00:00Z");
const intact: LedgerCheck = { runs: 0, sealed: 0, intact: true, problems: [], head: "h" };

let nextId = 1;
function gitRun(repo: string, status: RunStatus, startedAt: string, error: string | null = null): RunRow {
  const started = new Date(startedAt);
  return {
    id: nextId++,
    source: "git",
    scope: JSON.stringify({ repo }),
    tool_version: "0.1.0",
    parameters: "{}",
    started_at: started.toISOString(),
    finished_at: status === "running" ? null : new Date(started.getTime() + 60_000).toISOString(),
    status,
    counts: null,
    error,
    seal_seq: null,
    prev_hash: null,
    hash: null,
  };
}

describe("coverage", () => {
  it("has no gaps when every repo was collected after the period ended and the ledger is intact", () => {
    const runs = [
      gitRun("acme/app", "succeeded", "2026-06-15T00:00:00Z"),
      gitRun("acme/app", "succeeded", "2026-08-01T00:00:00Z"),
      gitRun("acme/app", "succeeded", "2026-10-01T06:00:00Z"),
      gitRun("acme/gitops", "failed", "2026-09-01T00:00:00Z", "network down"),
      gitRun("acme/gitops", "succeeded", "2026-10-02T00:00:00Z"),
    ];
    const c = coverage(["acme/gitops", "acme/app"], runs, intact, Q3, AFTER);
    expect(c.gaps).toEqual([]);
    expect(c.repos.map((r) => r.repo)).toEqual(["acme/app", "acme/gitops"]);
    const [app, gitops] = c.repos;
    expect(app).toEqual({
      repo: "acme/app",
      lastSucceeded: { id: runs[2]?.id, finishedAt: "2026-10-01T06:01:00.000Z" },
      lastRun: { id: runs[2]?.id, status: "succeeded", finishedAt: "2026-10-01T06:01:00.000Z", error: null },
      runsInPeriod: 1,
    });
    expect(gitops?.runsInPeriod).toBe(1);
    expect(gitops?.lastSucceeded?.id).toBe(runs[4]?.id);
    expect(c.ledger).toBe(intact);
  });

  it("names a repo that was never collected", () => {
    const runs = [gitRun("acme/app", "succeeded", "2026-10-02T00:00:00Z")];
    const c = coverage(["acme/app", "acme/forgotten"], runs, intact, Q3, AFTER);
    expect(c.gaps).toEqual(["acme/forgotten: git history was never collected successfully"]);
    expect(c.repos.find((r) => r.repo === "acme/forgotten")).toEqual({
      repo: "acme/forgotten",
      lastSucceeded: null,
      lastRun: null,
      runsInPeriod: 0,
    });
  });

  it("counts a repo whose every run failed as never collected", () => {
    const runs = [
      gitRun("acme/app", "failed", "2026-08-01T00:00:00Z", "repository not found"),
      gitRun("acme/app", "abandoned", "2026-10-02T00:00:00Z", "the process running it ended"),
    ];
    const c = coverage(["acme/app"], runs, intact, Q3, AFTER);
    expect(c.gaps).toEqual(["acme/app: git history was never collected successfully"]);
    expect(c.repos[0]?.lastRun?.status).toBe("abandoned");
    expect(c.runsUsed).toEqual([]);
  });

  it("names the error when the latest run failed", () => {
    const runs = [
      gitRun("acme/app", "succeeded", "2026-10-01T01:00:00Z"),
      gitRun("acme/app", "failed", "2026-10-05T00:00:00Z", "fatal: could not read from remote repository"),
    ];
    const c = coverage(["acme/app"], runs, intact, Q3, AFTER);
    expect(c.gaps).toEqual([
      `acme/app: the latest git collection (run ${runs[1]?.id}) failed: fatal: could not read from remote repository`,
    ]);
    expect(c.repos[0]?.lastRun).toMatchObject({
      status: "failed",
      error: "fatal: could not read from remote repository",
    });
  });

  it("says when a failed run recorded no reason", () => {
    const runs = [
      gitRun("acme/app", "succeeded", "2026-10-02T00:00:00Z"),
      gitRun("acme/app", "abandoned", "2026-10-03T00:00:00Z"),
    ];
    expect(coverage(["acme/app"], runs, intact, Q3, AFTER).gaps).toEqual([
      `acme/app: the latest git collection (run ${runs[1]?.id}) abandoned: no reason recorded`,
    ]);
  });

  it("names the date when the last successful run started before the period ended", () => {
    const runs = [
      gitRun("acme/app", "succeeded", "2026-07-15T00:00:00Z"),
      gitRun("acme/app", "succeeded", "2026-09-20T08:00:00Z"),
    ];
    const c = coverage(["acme/app"], runs, intact, Q3, AFTER);
    expect(c.gaps).toEqual([
      "acme/app: last collected 2026-09-20T08:00:00.000Z, before the period ends (2026-10-01T00:00:00.000Z); later changes are missing",
    ]);
    expect(c.repos[0]?.runsInPeriod).toBe(2);
  });

  it("reports both a failed latest run and a stale last success", () => {
    const runs = [
      gitRun("acme/app", "succeeded", "2026-08-01T00:00:00Z"),
      gitRun("acme/app", "failed", "2026-10-02T00:00:00Z", "disk full"),
    ];
    const gaps = coverage(["acme/app"], runs, intact, Q3, AFTER).gaps;
    expect(gaps).toHaveLength(2);
    expect(gaps[0]).toMatch(/latest git collection \(run \d+\) failed: disk full/);
    expect(gaps[1]).toMatch(/last collected 2026-08-01T00:00:00.000Z, before the period ends/);
  });

  it("says a period that has not ended is incomplete", () => {
    const now = new Date("2026-08-15T12:00:00Z");
    const runs = [gitRun("acme/app", "succeeded", "2026-08-15T11:00:00Z")];
    const c = coverage(["acme/app"], runs, intact, Q3, now);
    expect(c.gaps).toContain("the period has not ended: it runs until 2026-10-01T00:00:00.000Z");
    // The collection is measured against now, not against the future end of the period.
    expect(c.gaps).toContain(
      "acme/app: last collected 2026-08-15T11:00:00.000Z, before now (2026-08-15T12:00:00.000Z); later changes are missing",
    );
  });

  it("reports a broken ledger with its problems", () => {
    const runs = [gitRun("acme/app", "succeeded", "2026-10-02T00:00:00Z")];
    const broken: LedgerCheck = {
      runs: 3,
      sealed: 2,
      intact: false,
      problems: ["run 2 was altered after it was sealed", "runs 4..4 were deleted"],
      head: "x",
    };
    expect(coverage(["acme/app"], runs, broken, Q3, AFTER).gaps).toEqual([
      "the collection-run ledger is not intact: run 2 was altered after it was sealed; runs 4..4 were deleted",
    ]);
  });

  it("ignores runs of other repos and unreadable scopes", () => {
    const other = gitRun("acme/other", "succeeded", "2026-10-02T00:00:00Z");
    const garbled = { ...gitRun("acme/app", "succeeded", "2026-10-02T00:00:00Z"), scope: "not json" };
    const c = coverage(["acme/app"], [other, garbled], intact, Q3, AFTER);
    expect(c.gaps).toEqual(["acme/app: git history was never collected successfully"]);
    expect(c.runsUsed).toEqual([]);
  });

  it("uses the runs that contributed evidence and, per repo, the first success after the period", () => {
    const runs = [
      gitRun("acme/app", "succeeded", "2026-06-01T00:00:00Z"),
      gitRun("acme/app", "failed", "2026-09-01T00:00:00Z", "x"),
      gitRun("acme/app", "succeeded", "2026-09-10T00:00:00Z"),
      gitRun("acme/web", "succeeded", "2026-07-10T00:00:00Z"),
      gitRun("acme/app", "succeeded", "2026-10-01T02:00:00Z"),
      gitRun("acme/web", "succeeded", "2026-10-01T03:00:00Z"),
    ];
    const ids = runs.map((r) => r.id);
    // Runs 0 and 3 stored changes the report shows; 4 and 5 are the first successes after Q3.
    const contributing = [ids[3] ?? 0, ids[0] ?? 0];
    const c = coverage(["acme/web", "acme/app"], runs, intact, Q3, AFTER, contributing);
    expect(c.gaps).toEqual([]);
    expect(c.runsUsed).toEqual([ids[0], ids[3], ids[4], ids[5]]);
    expect(c.runsUsed).not.toContain(ids[1]);
    expect(c.runsUsed).not.toContain(ids[2]);
  });

  // The run that proves completeness (the first success after the period ended) starts at or after
  // period.to, and it stored the period's last commits (SPEC P1: "collection runs used").
  it("lists the run that reached the period's end among the runs used", () => {
    const runs = [
      gitRun("acme/app", "succeeded", "2026-09-10T00:00:00Z"),
      gitRun("acme/app", "succeeded", "2026-10-01T02:00:00Z"),
    ];
    const c = coverage(["acme/app"], runs, intact, Q3, AFTER, [runs[0]?.id ?? 0]);
    expect(c.gaps).toEqual([]);
    expect(c.runsUsed).toEqual([runs[0]?.id, runs[1]?.id]);
  });
});

describe("coverage with GitHub", () => {
  function ghRun(
    source: "github" | "github-org",
    scope: Record<string, string>,
    status: RunStatus,
    startedAt: string,
    error: string | null = null,
  ): RunRow {
    return { ...gitRun("", status, startedAt, error), source, scope: JSON.stringify(scope) };
  }

  it("names a repository whose GitHub collection failed or is partial, and a failed organisation snapshot", () => {
    const git = [
      gitRun("acme/app", "succeeded", "2026-10-02T00:00:00Z"),
      gitRun("acme/ops", "succeeded", "2026-10-02T00:00:00Z"),
    ];
    const failed = ghRun(
      "github",
      { repo: "acme/app", org: "acme" },
      "failed",
      "2026-10-02T00:00:00Z",
      "repo acme/app: GitHub timed out",
    );
    const partial = ghRun(
      "github",
      { repo: "acme/ops" },
      "succeeded",
      "2026-10-02T00:00:00Z",
      "snapshot gaps: collaborators (FORBIDDEN)",
    );
    const org = ghRun("github-org", { org: "acme" }, "failed", "2026-10-02T00:00:00Z", "401");
    const c = coverage(["acme/app", "acme/ops"], git, intact, Q3, AFTER, [], {
      repoRuns: [failed, partial],
      orgRuns: [org],
    });
    expect(c.gaps).toEqual([
      "acme/app: GitHub was never collected successfully",
      `acme/ops: the latest GitHub collection (run ${partial.id}) is partial: snapshot gaps: collaborators (FORBIDDEN)`,
      "organisation acme: members and teams was never collected successfully",
    ]);
    expect(c.runsUsed).toContain(partial.id);
  });

  it("has no GitHub gaps when each repository and the organisation were collected after the period", () => {
    const git = [gitRun("acme/app", "succeeded", "2026-10-02T00:00:00Z")];
    const repo = ghRun("github", { repo: "acme/app" }, "succeeded", "2026-10-02T00:01:00Z");
    const org = ghRun("github-org", { org: "acme" }, "succeeded", "2026-10-02T00:00:30Z");
    const c = coverage(["acme/app"], git, intact, Q3, AFTER, [], { repoRuns: [repo], orgRuns: [org] });
    expect(c.gaps).toEqual([]);
    expect(c.runsUsed).toEqual(expect.arrayContaining([repo.id, org.id]));
  });

  it("names a configured organisation no run was ever recorded for", () => {
    const git = [gitRun("acme/app", "succeeded", "2026-10-02T00:00:00Z")];
    const repo = ghRun("github", { repo: "acme/app" }, "succeeded", "2026-10-02T00:01:00Z");
    const c = coverage(["acme/app"], git, intact, Q3, AFTER, [], { repoRuns: [repo], orgRuns: [], orgs: ["acme"] });
    expect(c.gaps).toEqual(["organisation acme: members and teams was never collected successfully"]);
  });
});

describe("coverage of clusters", () => {
  const clusterRun = (cluster: string, status: RunStatus, startedAt: string): RunRow => ({
    ...gitRun("", status, startedAt),
    source: "reconciler",
    scope: JSON.stringify({ cluster }),
  });
  const gitOk = [gitRun("acme/gitops", "succeeded", "2026-10-02T00:00:00Z")];
  const gap = (after: string | null, before: string): HistoryGap => ({
    kind: after === null ? "before-first-collection" : "missed",
    reconciler: "argocd",
    cluster: "prod",
    namespace: "argocd",
    name: "payments",
    after,
    before,
    lost: after === null ? null : 2,
    foundAt: "2026-10-02T00:00:00.000Z",
  });

  it("names a configured cluster never collected, a failed last run, and history lost inside the period only", () => {
    const c = coverage(["acme/gitops"], gitOk, intact, Q3, AFTER, [], undefined, {
      runs: [
        clusterRun("prod", "succeeded", "2026-09-01T00:00:00Z"),
        clusterRun("prod", "failed", "2026-10-02T00:00:00Z"),
      ],
      clusters: ["prod", "staging"],
      historyGaps: [
        gap("2026-08-01T00:00:00Z", "2026-08-09T00:00:00Z"),
        gap("2026-10-05T00:00:00Z", "2026-10-09T00:00:00Z"),
      ],
    });
    expect(c.gaps).toEqual([
      expect.stringMatching(/^cluster prod: the latest reconciler collection \(run \d+\) failed/),
      expect.stringMatching(
        /^cluster prod: reconciler last collected 2026-09-01T00:00:00.000Z, before the period ends/,
      ),
      "cluster staging: deployment history was never collected successfully",
      expect.stringMatching(
        /^argocd prod\/argocd\/payments: 2 history entries were dropped by the cluster before the read at .* \(deployed between 2026-08-01T00:00:00Z and 2026-08-09T00:00:00Z\)/,
      ),
    ]);
  });

  it("judges an import by when its records were read in the cluster, not when they were imported", () => {
    const imported = {
      ...clusterRun("prod", "succeeded", "2026-10-02T00:00:00Z"),
      parameters: JSON.stringify({ source: "import", origin: { startedAt: "2026-07-05T00:00:00.000Z" } }),
    };
    const c = coverage(["acme/gitops"], gitOk, intact, Q3, AFTER, [], undefined, {
      runs: [imported],
      clusters: ["prod"],
      historyGaps: [],
    });
    expect(c.gaps).toEqual([
      "cluster prod: reconciler last collected 2026-07-05T00:00:00.000Z, before the period ends (2026-10-01T00:00:00.000Z); later changes are missing",
    ]);
  });

  it("says which runs skipped objects it could not read", () => {
    const warned = {
      ...clusterRun("prod", "succeeded", "2026-10-02T00:00:00Z"),
      counts: JSON.stringify({ warnings: 2 }),
    };
    const c = coverage(["acme/gitops"], gitOk, intact, Q3, AFTER, [], undefined, {
      runs: [warned],
      clusters: ["prod"],
      historyGaps: [],
    });
    expect(c.gaps).toEqual([
      `cluster prod: a run skipped objects or lists it could not read (run ${warned.id}; see their warnings); their deployments may be missing`,
    ]);
  });

  it("counts history forgotten before the first collection only when it reaches into the period", () => {
    const runs = [clusterRun("prod", "succeeded", "2026-10-02T00:00:00Z")];
    const early = coverage(["acme/gitops"], gitOk, intact, Q3, AFTER, [], undefined, {
      runs,
      clusters: ["prod"],
      historyGaps: [gap(null, "2026-06-01T00:00:00Z")],
    });
    expect(early.gaps).toEqual([]);
    const late = coverage(["acme/gitops"], gitOk, intact, Q3, AFTER, [], undefined, {
      runs,
      clusters: ["prod"],
      historyGaps: [gap(null, "2026-07-15T00:00:00Z")],
    });
    expect(late.gaps).toEqual([expect.stringMatching(/already full at the first read/)]);
  });
});
