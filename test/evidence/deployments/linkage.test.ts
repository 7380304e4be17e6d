import path from "node:path";
import { describe, expect, it } from "vitest";
import { RepoFactory } from "../../../src/demo/repo-factory.js";
import {
  commitGraph,
  type LandedChange,
  linkDeployments,
  repoNameOf,
  revList,
} from "../../../src/evidence/deployments/linkage.js";
import { c9DeployedUnexplained } from "../../../src/evidence/rules/c9-deployed-unexplained.js";
import { c10ManualSync } from "../../../src/evidence/rules/c10-manual-sync.js";
import type { DeploymentRow, HistoryGapRow } from "../../../src/store/deployment-queries.js";
import { tempDir } from "../../helpers/tmp.js";

/**
 * Linkage on a real git repository: the GitOps repository is made with git, its graph read the
 * way the git collector stores it (main's history, parents as git records them), and every
 * introduced set compared with `git rev-list` itself.
 */

const who = { name: "Alice", email: "alice@acme.example" };
const d = (iso: string) => new Date(iso);

/** main's history as the git collector stores it: every commit reachable, parents as git records them. */
function mainGraphRows(g: RepoFactory) {
  return g
    .git(["rev-list", "--parents", "main"])
    .trim()
    .split("\n")
    .map((line) => {
      const [sha = "", ...parents] = line.split(" ");
      return { sha, parents: parents.join(" ") };
    });
}

function gitopsRepo() {
  const g = RepoFactory.init(path.join(tempDir("changeproof-linkage-"), "gitops"), {
    author: who,
    start: d("2026-06-01T09:00:00Z"),
  });
  const A = g.commit("bootstrap", { files: { "app.yaml": "v0\n" } });
  g.checkout("release/1", { create: true });
  const F1 = g.commit("release 1, part 1", { files: { "app.yaml": "v1a\n" }, at: d("2026-07-02T09:00:00Z") });
  const F2 = g.commit("release 1, part 2", { files: { "app.yaml": "v1b\n" } });
  g.checkout("main");
  const M = g.mergeCommit("release/1", "Merge pull request #1", { at: d("2026-07-03T09:00:00Z") });
  const B = g.commit("direct push", { files: { "replicas.yaml": "6\n" }, at: d("2026-08-01T09:00:00Z") });
  g.checkout("gone", { create: true });
  const X = g.commit("an experiment on a branch later deleted", { files: { "x.yaml": "x\n" } });
  g.checkout("main");
  g.git(["branch", "-D", "gone"]);
  return { g, A, F1, F2, M, B, X, graph: commitGraph(mainGraphRows(g), [B]) };
}

let nextId = 1;
const deployment = (commit: string, at: string, over: Partial<DeploymentRow> = {}): DeploymentRow => ({
  id: nextId++,
  reconciler: "argocd",
  cluster: "prod",
  namespace: "argocd",
  name: "payments",
  basis: "history",
  source_repo: "https://github.com/acme/gitops.git",
  source_path: "apps/payments",
  revisions: JSON.stringify([commit]),
  commit_oid: commit,
  started_at: at,
  finished_at: at,
  initiated_by: null,
  automated: 1,
  outcome: "succeeded",
  rollback: 0,
  ...over,
});

describe("deployment linkage over a real git repository", () => {
  const r = gitopsRepo();
  const landedBy = new Map<string, LandedChange>([
    [r.F1, { id: "acme/gitops#1", concerns: [] }],
    [r.F2, { id: "acme/gitops#1", concerns: [] }],
    [r.M, { id: "acme/gitops#1", concerns: [] }],
    [r.B, { id: `acme/gitops@${r.B}`, concerns: ["C7 direct-push"] }],
  ]);
  const gaps: HistoryGapRow[] = [
    {
      kind: "missed",
      reconciler: "argocd",
      cluster: "prod",
      namespace: "argocd",
      name: "payments",
      after: "2026-08-02T00:00:00Z",
      before: "2026-08-20T00:00:00Z",
    },
  ];
  const rows = [
    deployment(r.A, "2026-06-01T10:00:00Z"),
    deployment(r.M, "2026-07-03T10:00:00Z"),
    deployment(r.B, "2026-08-01T10:00:00Z"),
    // Rolled back by hand to the merge, after history was lost in between.
    deployment(r.M, "2026-08-25T10:00:00Z", { automated: 0, initiated_by: "alice@acme.example" }),
    deployment(r.X, "2026-09-01T10:00:00Z", { automated: 0, initiated_by: "carol@acme.example" }),
    deployment("4.11.2", "2026-09-02T10:00:00Z", { name: "ingress", commit_oid: null, source_repo: null }),
  ];
  const linked = linkDeployments({
    period: { from: "2026-07-01T00:00:00Z", to: "2026-10-01T00:00:00Z" },
    deployments: rows,
    gaps,
    repos: new Map([["acme/gitops", r.graph]]),
    landedBy,
  });
  const byAt = (at: string) => linked.find((x) => x.at === at);
  const gitRevList = (rev: string, prev: string) =>
    r.g
      .git(["rev-list", rev, `^${prev}`])
      .trim()
      .split("\n")
      .filter(Boolean)
      .sort();

  it("takes only the period's deployments, and the previous one from before it", () => {
    expect(linked.map((x) => x.at)).toEqual([
      "2026-07-03T10:00:00Z",
      "2026-08-01T10:00:00Z",
      "2026-08-25T10:00:00Z",
      "2026-09-01T10:00:00Z",
      "2026-09-02T10:00:00Z",
    ]);
    expect(byAt("2026-07-03T10:00:00Z")?.previous?.at).toBe("2026-06-01T10:00:00Z");
  });

  it("introduces what git rev-list says: a merge brings its branch's commits, mapped to one change", () => {
    const m = byAt("2026-07-03T10:00:00Z");
    expect(m?.introduced?.commits).toEqual(gitRevList(r.M, r.A));
    expect(m?.introduced?.commits).toHaveLength(3);
    expect(m?.introduced?.changes.map((c) => c.id)).toEqual(["acme/gitops#1"]);
    expect(revList(r.graph, r.B, r.A)).toEqual(gitRevList(r.B, r.A));
  });

  it("walks as git does for every pair of the repository's commits, either way round", () => {
    const all = [r.A, r.F1, r.F2, r.M, r.B];
    for (const x of all) for (const y of all) expect(revList(r.graph, x, y), `${x} ^${y}`).toEqual(gitRevList(x, y));
  });

  it("a rollback to an older revision introduces nothing and is a rollback; history lost before it marks afterGap", () => {
    const back = byAt("2026-08-25T10:00:00Z");
    expect(back?.introduced?.commits).toEqual([]);
    expect(back?.rollback).toBe(true);
    expect(back?.afterGap).toBe(true);
    expect(byAt("2026-08-01T10:00:00Z")?.afterGap).toBe(false);
  });

  it("a revision from a deleted branch is said to be missing from the repository", () => {
    const x = byAt("2026-09-01T10:00:00Z");
    expect(x?.inRepository).toBe(false);
    expect(x?.introduced).toBeNull();
    expect(x?.linkage).toMatch(/does not contain/);
  });

  it("C9 and C10 over them", () => {
    const input = { deployments: linked };
    const c9 = c9DeployedUnexplained.evaluate(input).map((f) => `${f.subject.id.split(" ")[1]} ${f.verdict}`);
    expect(c9).toEqual([
      "2026-07-03T10:00:00Z pass",
      "2026-08-01T10:00:00Z unexplained",
      "2026-08-25T10:00:00Z pass",
      "2026-09-01T10:00:00Z unexplained",
      "2026-09-02T10:00:00Z n/a",
    ]);
    const c10 = c10ManualSync.evaluate(input).map((f) => `${f.subject.id.split(" ")[1]} ${f.verdict}`);
    expect(c10).toEqual([
      "2026-07-03T10:00:00Z n/a",
      "2026-08-01T10:00:00Z n/a",
      "2026-08-25T10:00:00Z manual-rollback",
      "2026-09-01T10:00:00Z manual-off-branch",
      "2026-09-02T10:00:00Z n/a",
    ]);
    expect(c9DeployedUnexplained.evaluate(input)[1]?.reason).toBe(
      `introduced 1 change, acme/gitops@${r.B} with C7 direct-push`,
    );
  });

  it("times a Flux Kustomization entry by when it was last applied: Flux moves a re-applied revision onto its old entry", () => {
    // main: A, then B (a direct push), then C reverting it to A's manifests. Flux applied A, then
    // B (a new entry), then C, which rendered what A's entry holds: that entry moved to C,
    // keeping its firstReconciled from June.
    const g = RepoFactory.init(path.join(tempDir("changeproof-flux-move-"), "gitops"), {
      author: who,
      start: d("2026-06-01T09:00:00Z"),
    });
    const A = g.commit("config", { files: { "app.yaml": "v1\n" } });
    const B = g.commit("direct push", { files: { "app.yaml": "v2\n" }, at: d("2026-07-15T09:00:00Z") });
    const C = g.commit("revert the direct push", { files: { "app.yaml": "v1\n" }, at: d("2026-08-01T09:00:00Z") });
    const graph = commitGraph(mainGraphRows(g), [C]);
    const flux = (commit: string, first: string, last: string): DeploymentRow =>
      deployment(commit, first, { reconciler: "flux-kustomization", namespace: "flux-system", finished_at: last });
    const linked = linkDeployments({
      period: { from: "2026-07-01T00:00:00Z", to: "2026-10-01T00:00:00Z" },
      deployments: [
        flux(C, "2026-06-01T10:00:00Z", "2026-08-01T10:00:00Z"),
        flux(B, "2026-07-15T10:00:00Z", "2026-07-15T10:05:00Z"),
      ],
      gaps: [],
      repos: new Map([["acme/gitops", graph]]),
      landedBy: new Map([[B, { id: `acme/gitops@${B}`, concerns: ["C7 direct-push"] }]]),
    });
    expect(linked.map((x) => [x.commit, x.introduced?.commits ?? null])).toEqual([
      [B, null], // the first one observed: what came before it is not known
      [C, [C]],
    ]);
    // The direct push's deployment is not a pass: it cannot be shown what it introduced over A,
    // which Flux's history no longer holds as its own entry.
    expect(c9DeployedUnexplained.evaluate({ deployments: linked }).map((f) => f.verdict)).toEqual(["blocked", "pass"]);
    expect(A).not.toBe(C);
  });

  it("names a repository from its clone URL however it is written", () => {
    expect(repoNameOf("https://github.com/Acme/GitOps.git")).toBe("acme/gitops");
    expect(repoNameOf("git@github.com:acme/gitops")).toBe("acme/gitops");
    expect(repoNameOf("ssh://git@github.com/acme/gitops.git/")).toBe("acme/gitops");
    expect(repoNameOf("gitops")).toBeNull();
  });

  it("a controller event reporting an apply the history holds is the same deployment", () => {
    const again = linkDeployments({
      period: { from: "2026-07-01T00:00:00Z", to: "2026-10-01T00:00:00Z" },
      deployments: [
        deployment(r.A, "2026-06-01T10:00:00Z"),
        deployment(r.M, "2026-07-03T10:00:00Z"),
        deployment(r.M, "2026-07-03T10:01:00Z", { basis: "event", source_repo: null, started_at: null }),
      ],
      gaps: [],
      repos: new Map([["acme/gitops", r.graph]]),
      landedBy,
    });
    expect(again.map((x) => x.at)).toEqual(["2026-07-03T10:00:00Z"]);
  });
});
