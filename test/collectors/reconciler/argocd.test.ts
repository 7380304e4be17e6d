import { describe, expect, it } from "vitest";
import { argoDeployments } from "../../../src/collectors/reconciler/argocd.js";
import { deploymentKey } from "../../../src/collectors/reconciler/deployment.js";

/** Applications shaped like Argo CD's own (docs/reference/reconcilers.md §1), built per case. */

const REPO = "https://github.com/acme/gitops.git";
const SRC = { repoURL: REPO, path: "apps/payments/prod", targetRevision: "main" };
const A = "1e65e80b456d369aa7fdf8d48d3e5689b4fe9a83";
const B = "4e288d8adece219baf58488ffa1cf94402b1530d";
const C = "9c1d0000000000000000000000000000000000aa";
const AT = "2026-07-15T00:00:00.000Z";

function app(status: Record<string, unknown>, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name: "payments", namespace: "argocd", uid: "0b6f", resourceVersion: "183344" },
    spec: {
      project: "default",
      source: SRC,
      destination: { server: "https://kubernetes.default.svc", namespace: "payments" },
      ...spec,
    },
    status: { sync: { status: "Synced", revision: B }, health: { status: "Healthy" }, ...status },
  };
}

const entry = (
  id: number,
  revision: string,
  at: string,
  initiatedBy: Record<string, unknown> = { automated: true },
) => ({
  id,
  revision,
  deployStartedAt: at.replace(/:(\d\d)Z$/, ":00Z"),
  deployedAt: at,
  source: SRC,
  initiatedBy,
});

describe("argoDeployments", () => {
  it("maps each history entry, automated or by a person, with the commit it applied", () => {
    const o = argoDeployments(
      app({
        history: [
          entry(6, A, "2026-07-14T09:10:31Z", { username: "bob@acme.example" }),
          entry(7, B, "2026-07-14T09:29:58Z"),
        ],
      }),
      "prod",
      AT,
    );
    expect(o.warnings).toEqual([]);
    expect(o.deployments).toEqual([
      {
        reconciler: "argocd",
        cluster: "prod",
        namespace: "argocd",
        name: "payments",
        basis: "history",
        identity: `${A}@2026-07-14T09:10:31Z`,
        sourceRepo: REPO,
        sourcePath: "apps/payments/prod",
        revisions: [A],
        commit: A,
        startedAt: "2026-07-14T09:10:00Z",
        finishedAt: "2026-07-14T09:10:31Z",
        initiatedBy: "bob@acme.example",
        automated: false,
        outcome: "succeeded",
        rollback: false,
        evidence: "status.history[0] (id 6)",
        detail: { historyId: 6 },
      },
      expect.objectContaining({
        revisions: [B],
        initiatedBy: null,
        automated: true,
        evidence: "status.history[1] (id 7)",
      }),
    ]);
    expect(o.observation).toMatchObject({
      horizon: "2026-07-14T09:10:31Z",
      entries: 2,
      capacity: 10,
      seqMin: 6,
      seqMax: 7,
    });
  });

  it("adds a failed sync, which only operationState shows, and says nothing of who when Argo CD did not record it", () => {
    const o = argoDeployments(
      app({
        history: [{ id: 1, revision: A, deployedAt: "2026-07-01T00:00:00Z", source: SRC }],
        operationState: {
          operation: { sync: { revision: C, prune: true }, initiatedBy: { automated: true }, retry: { limit: 5 } },
          phase: "Failed",
          message: "one or more objects failed to apply",
          startedAt: "2026-07-14T11:00:00Z",
          finishedAt: "2026-07-14T11:00:09Z",
          syncResult: { revision: C, source: SRC, resources: [] },
        },
      }),
      "prod",
      AT,
    );
    expect(o.deployments.map((d) => [d.outcome, d.commit, d.automated, d.evidence])).toEqual([
      ["succeeded", A, null, "status.history[0] (id 1)"],
      ["failed", C, true, "status.operationState"],
    ]);
  });

  it("marks a rollback (a user's sync naming its source) on the history entry it produced, without a duplicate", () => {
    const o = argoDeployments(
      app({
        history: [entry(7, A, "2026-07-14T09:29:58Z", { username: "alice@acme.example" })],
        operationState: {
          operation: {
            sync: { revision: A, syncStrategy: { apply: {} }, source: SRC },
            initiatedBy: { username: "alice@acme.example" },
          },
          phase: "Succeeded",
          startedAt: "2026-07-14T09:29:00Z",
          finishedAt: "2026-07-14T09:29:57Z",
          syncResult: { revision: A, source: SRC },
        },
      }),
      "prod",
      AT,
    );
    expect(o.deployments).toHaveLength(1);
    expect(o.deployments[0]).toMatchObject({ rollback: true, initiatedBy: "alice@acme.example", automated: false });
  });

  it("reads a multi-source entry's revisions in order, and the commit of the first git one", () => {
    const o = argoDeployments(
      app({
        history: [
          {
            id: 3,
            revisions: ["1.4.2", B],
            sources: [
              { repoURL: "https://charts.acme.example", chart: "api", targetRevision: "1.4.2" },
              { repoURL: REPO, targetRevision: "HEAD", ref: "values" },
            ],
            source: { repoURL: "" },
            deployStartedAt: "2026-07-14T10:00:00Z",
            deployedAt: "2026-07-14T10:00:41Z",
            initiatedBy: { automated: true },
          },
        ],
      }),
      "prod",
      AT,
    );
    expect(o.deployments[0]).toMatchObject({
      revisions: ["1.4.2", B],
      commit: B,
      sourceRepo: "https://charts.acme.example",
    });
  });

  it("observes how far back the history reaches, its ids and revisionHistoryLimit (default 10)", () => {
    const history = [1, 2, 3].map((i) => entry(i, A, `2026-07-0${i}T00:00:00Z`));
    expect(argoDeployments(app({ history }, { revisionHistoryLimit: 3 }), "prod", AT).observation).toEqual({
      reconciler: "argocd",
      cluster: "prod",
      namespace: "argocd",
      name: "payments",
      observedAt: AT,
      entries: 3,
      capacity: 3,
      horizon: "2026-07-01T00:00:00Z",
      newest: "2026-07-03T00:00:00Z",
      seqMin: 1,
      seqMax: 3,
      state: `Synced to ${B}; Healthy`,
    });
    expect(argoDeployments(app({ history }), "prod", AT).observation?.capacity).toBe(10);
  });

  it("skips a history entry with a bad timestamp, naming it, and keeps the rest; an object without a name whole", () => {
    const bad = app({
      history: [
        { id: 1, revision: A, deployedAt: 17 },
        { id: 2, revision: B, deployedAt: "2026-07-02T00:00:00Z" },
      ],
    });
    const o = argoDeployments(bad, "prod", AT);
    expect(o.warnings).toEqual([
      expect.stringMatching(/^Application argocd\/payments: status\.history\[0\] skipped, deployedAt /),
    ]);
    expect(o.deployments.map((d) => d.commit)).toEqual([B]);
    // The skipped entry's id is a hole, not a loss: the ids are not used for gaps this time.
    expect(o.observation).toMatchObject({ entries: 1, seqMin: null, seqMax: null });
    expect(argoDeployments({ metadata: {} }, "prod", AT).warnings).toEqual([
      expect.stringMatching(/^Application \?\/\?: skipped, metadata\.name /),
    ]);
    expect(argoDeployments(null, "prod", AT).deployments).toEqual([]);
  });

  it("records no deployment for a dry run, marks a partial sync, and takes who synced from the operation when the entry is silent", () => {
    const op = (sync: Record<string, unknown>, phase = "Succeeded") => ({
      operation: { sync: { revision: C, ...sync }, initiatedBy: { username: "alice@acme.example" } },
      phase,
      startedAt: "2026-07-14T11:00:00Z",
      finishedAt: "2026-07-14T11:00:09Z",
      syncResult: { revision: C, source: SRC },
    });
    expect(argoDeployments(app({ operationState: op({ dryRun: true }) }), "prod", AT).deployments).toEqual([]);
    const partial = argoDeployments(
      app({ operationState: op({ resources: [{ kind: "Deployment", name: "api" }] }) }),
      "prod",
      AT,
    );
    expect(partial.deployments[0]?.detail).toMatchObject({ partialResources: 1 });
    // Argo CD before 2.11: the history entry has no initiatedBy; the operation that made it does.
    const old = {
      id: 4,
      revision: C,
      deployStartedAt: "2026-07-14T11:00:00Z",
      deployedAt: "2026-07-14T11:00:09Z",
      source: SRC,
    };
    const silent = argoDeployments(app({ history: [old], operationState: op({}) }), "prod", AT);
    expect(silent.deployments).toHaveLength(1);
    expect(silent.deployments[0]).toMatchObject({
      basis: "history",
      initiatedBy: "alice@acme.example",
      automated: false,
    });
  });

  it("tolerates an application that never synced (no status)", () => {
    const o = argoDeployments({ metadata: { name: "new", namespace: "argocd" }, spec: { source: SRC } }, "prod", AT);
    expect(o.deployments).toEqual([]);
    expect(o.warnings).toEqual([]);
    expect(o.observation).toMatchObject({ entries: 0, horizon: null, seqMin: null });
  });

  it("gives the same deployment the same key whichever run saw it", () => {
    const first = argoDeployments(app({ history: [entry(6, A, "2026-07-14T09:10:31Z")] }), "prod", AT).deployments[0];
    const later = argoDeployments(
      app({ history: [entry(6, A, "2026-07-14T09:10:31Z"), entry(7, B, "2026-07-14T09:29:58Z")] }),
      "prod",
      AT,
    ).deployments[0];
    if (!first || !later) throw new Error("no deployments");
    expect(deploymentKey(later)).toBe(deploymentKey(first));
  });
});
