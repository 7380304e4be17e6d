import { describe, expect, it } from "vitest";
import {
  argoApplication,
  argoHistoryEntry,
  argoOperationState,
  argoResourceResult,
  coreEvent,
  fluxSnapshot,
  gitRepository,
  HELM_REVISION_ANNOTATION,
  helmRelease,
  helmSnapshot,
  kubeTime,
  kustomization,
  objectRef,
  ociRepository,
  readyCondition,
} from "../../../src/demo/fake-cluster/index.js";

const source = {
  repoURL: "https://github.com/acme/gitops.git",
  path: "apps/payments/prod",
  targetRevision: "main",
};

describe("Argo CD builders", () => {
  const payments = () =>
    argoApplication({
      name: "payments",
      source,
      destination: { server: "https://kubernetes.default.svc", namespace: "payments" },
      revisionHistoryLimit: 10,
      history: [
        argoHistoryEntry({
          id: 6,
          revision: "1e65e80b456d369aa7fdf8d48d3e5689b4fe9a83",
          deployStartedAt: "2026-07-14T09:10:02Z",
          deployedAt: new Date("2026-07-14T09:10:31.750Z"),
          source,
          initiatedBy: { username: "bob@acme.example" },
        }),
        argoHistoryEntry({
          id: 7,
          revision: "4e288d8adece219baf58488ffa1cf94402b1530d",
          deployStartedAt: "2026-07-14T09:29:26Z",
          deployedAt: "2026-07-14T09:29:58Z",
          source,
          initiatedBy: { username: "alice@acme.example" },
        }),
      ],
      operationState: argoOperationState({
        phase: "Succeeded",
        startedAt: "2026-07-14T09:29:26Z",
        finishedAt: "2026-07-14T09:29:58Z",
        message: "successfully synced (all tasks run)",
        operation: {
          sync: { revision: "4e288d8adece219baf58488ffa1cf94402b1530d", syncStrategy: { apply: {} }, source },
          initiatedBy: { username: "alice@acme.example" },
        },
        syncResult: {
          revision: "4e288d8adece219baf58488ffa1cf94402b1530d",
          source,
          resources: [
            argoResourceResult({
              group: "apps",
              kind: "Deployment",
              namespace: "payments",
              name: "api",
              message: "deployment.apps/api configured",
            }),
          ],
        },
      }),
      reconciledAt: "2026-07-14T09:35:00Z",
      sourceType: "Kustomize",
    });

  it("matches the reference shape of a single-source app after a rollback", () => {
    const a = payments();
    expect(a).toEqual(payments());
    expect(a.apiVersion).toBe("argoproj.io/v1alpha1");
    expect(a.kind).toBe("Application");
    expect(a.metadata).toMatchObject({ name: "payments", namespace: "argocd", generation: 1 });
    expect(a.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.spec).toEqual({
      source,
      destination: { server: "https://kubernetes.default.svc", namespace: "payments" },
      project: "default",
      revisionHistoryLimit: 10,
    });
    expect(a.status?.sync).toEqual({
      status: "Synced",
      comparedTo: { source, destination: { server: "https://kubernetes.default.svc", namespace: "payments" } },
      revision: "4e288d8adece219baf58488ffa1cf94402b1530d",
    });
    expect(a.status?.history?.[0]?.deployedAt).toBe("2026-07-14T09:10:31Z");
    expect(a.status?.operationState).toEqual({
      operation: {
        sync: { revision: "4e288d8adece219baf58488ffa1cf94402b1530d", syncStrategy: { apply: {} }, source },
        initiatedBy: { username: "alice@acme.example" },
        retry: {},
      },
      phase: "Succeeded",
      message: "successfully synced (all tasks run)",
      syncResult: {
        resources: [
          {
            group: "apps",
            version: "v1",
            kind: "Deployment",
            namespace: "payments",
            name: "api",
            status: "Synced",
            message: "deployment.apps/api configured",
            syncPhase: "Sync",
          },
        ],
        revision: "4e288d8adece219baf58488ffa1cf94402b1530d",
        source,
      },
      startedAt: "2026-07-14T09:29:26Z",
      finishedAt: "2026-07-14T09:29:58Z",
    });
    // Omitempty fields a test left unset are absent, not undefined.
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    expect("conditions" in (a.status ?? {})).toBe(false);
  });

  it("multi-source history entries carry an empty source; pre-2.11 entries no initiatedBy", () => {
    const sources = [source, { repoURL: "https://github.com/acme/values.git", targetRevision: "HEAD", ref: "values" }];
    expect(argoHistoryEntry({ id: 3, revisions: ["a", "b"], sources, deployedAt: "2026-07-14T10:00:41Z" })).toEqual({
      id: 3,
      revisions: ["a", "b"],
      deployedAt: "2026-07-14T10:00:41Z",
      source: { repoURL: "" },
      sources,
      initiatedBy: {},
    });
    expect(
      argoHistoryEntry({ id: 0, revision: "a", source, deployedAt: "2020-01-01T00:00:00Z", initiatedBy: null }),
    ).toEqual({ id: 0, revision: "a", deployedAt: "2020-01-01T00:00:00Z", source });
    const multi = argoApplication({
      name: "m",
      sources,
      history: [argoHistoryEntry({ id: 0, revisions: ["a", "b"], sources, deployedAt: "2026-07-14T10:00:41Z" })],
    });
    expect(multi.status?.sync).toMatchObject({
      comparedTo: { source: { repoURL: "" }, sources },
      revisions: ["a", "b"],
    });
    expect(multi.status?.sync.revision).toBeUndefined();
  });
});

describe("Flux builders", () => {
  it("kustomization with history and a Ready condition", () => {
    const rev = "v1.0.1@sha1:450796ddb2ab6724ee1cc32a4be56da032d1cca0";
    const k = kustomization({
      name: "apps",
      path: "./apps/prod",
      generation: 12,
      lastAppliedRevision: rev,
      lastAttemptedRevision: rev,
      lastHandledReconcileAt: "2025-08-15T11:11:58.53Z",
      conditions: [
        readyCondition({
          status: "True",
          reason: "ReconciliationSucceeded",
          message: `Applied revision: ${rev}`,
          lastTransitionTime: "2025-08-15T11:12:00Z",
        }),
      ],
      history: [
        fluxSnapshot({
          digest: "sha256:43ad78c94b2655429d84f21488f29d7cca9cd45b7f54d2b27e16bbec8eff9228",
          firstReconciled: "2025-08-15T10:11:00Z",
          lastReconciled: "2025-08-15T11:12:00Z",
          lastReconciledDuration: "2.818583s",
          lastReconciledStatus: "ReconciliationSucceeded",
          totalReconciliations: 2,
          metadata: { revision: rev },
        }),
      ],
    });
    expect(k.apiVersion).toBe("kustomize.toolkit.fluxcd.io/v1");
    expect(k.metadata.namespace).toBe("flux-system");
    expect(k.spec).toEqual({
      interval: "10m0s",
      path: "./apps/prod",
      prune: true,
      force: false,
      sourceRef: { kind: "GitRepository", name: "flux-system" },
    });
    expect(k.status).toEqual({
      observedGeneration: 12,
      conditions: [
        {
          type: "Ready",
          status: "True",
          observedGeneration: 12,
          lastTransitionTime: "2025-08-15T11:12:00Z",
          reason: "ReconciliationSucceeded",
          message: `Applied revision: ${rev}`,
        },
      ],
      lastAppliedRevision: rev,
      lastAttemptedRevision: rev,
      lastHandledReconcileAt: "2025-08-15T11:11:58.53Z",
      history: [
        {
          digest: "sha256:43ad78c94b2655429d84f21488f29d7cca9cd45b7f54d2b27e16bbec8eff9228",
          firstReconciled: "2025-08-15T10:11:00Z",
          lastReconciled: "2025-08-15T11:12:00Z",
          lastReconciledDuration: "2.818583s",
          lastReconciledStatus: "ReconciliationSucceeded",
          totalReconciliations: 2,
          metadata: { revision: rev },
        },
      ],
    });
  });

  it("helmRelease from a chart template or a chartRef, with snapshots", () => {
    const snap = helmSnapshot({
      name: "podinfo",
      namespace: "podinfo",
      version: 2,
      status: "deployed",
      chartName: "podinfo",
      chartVersion: "6.6.1+0cc9a8446c95",
      appVersion: "6.6.1",
      firstDeployed: "2024-05-07T04:54:21Z",
      lastDeployed: "2024-05-07T04:54:55Z",
      testHooks: { "podinfo-grpc-test-goyey": { lastStarted: "2024-05-07T04:55:09Z", phase: "Succeeded" } },
    });
    expect(snap.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(snap.testHooks).toEqual({
      "podinfo-grpc-test-goyey": { lastStarted: "2024-05-07T04:55:09Z", phase: "Succeeded" },
    });
    expect("deleted" in snap).toBe(false);
    const viaRef = helmRelease({
      name: "podinfo",
      namespace: "podinfo",
      chartRef: { kind: "OCIRepository", name: "podinfo" },
      history: [snap],
      lastAttemptedRevision: "6.6.1+0cc9a8446c95",
    });
    expect(viaRef.spec).toEqual({ chartRef: { kind: "OCIRepository", name: "podinfo" }, interval: "10m0s" });
    expect(viaRef.status?.helmChart).toBeUndefined();
    const viaChart = helmRelease({
      name: "redis",
      namespace: "cache",
      chart: {
        spec: { chart: "redis", sourceRef: { kind: "HelmRepository", name: "bitnami", namespace: "flux-system" } },
      },
    });
    expect(viaChart.spec.chart?.spec).toMatchObject({
      chart: "redis",
      version: "*",
      reconcileStrategy: "ChartVersion",
    });
    expect(viaChart.status?.helmChart).toBe("flux-system/cache-redis");
    expect(() => helmRelease({ name: "x", namespace: "y" })).toThrow(/chart or chartRef/);
  });

  it("git and OCI repositories with artifacts", () => {
    const g = gitRepository({
      name: "flux-system",
      url: "https://github.com/acme/fleet",
      artifact: {
        revision: "main@sha1:5394cb7f48332b2de7c17dd8b8384bbc84b7e738",
        lastUpdateTime: "2026-07-14T09:00:00Z",
      },
    });
    expect(g.status?.artifact).toMatchObject({
      path: "gitrepository/flux-system/flux-system/5394cb7f48332b2de7c17dd8b8384bbc84b7e738.tar.gz",
      revision: "main@sha1:5394cb7f48332b2de7c17dd8b8384bbc84b7e738",
      lastUpdateTime: "2026-07-14T09:00:00Z",
    });
    expect(g.status?.conditions?.[0]).toMatchObject({ type: "Ready", status: "True", observedGeneration: 1 });
    const o = ociRepository({
      name: "podinfo",
      url: "oci://ghcr.io/stefanprodan/manifests/podinfo",
      apiVersion: "source.toolkit.fluxcd.io/v1beta2",
    });
    expect(o.apiVersion).toBe("source.toolkit.fluxcd.io/v1beta2");
    expect(o.status).toEqual({ observedGeneration: 1 });
  });
});

describe("core Event builder", () => {
  it("names the event as client-go does and fills the reporting fields", () => {
    const hr = helmRelease({
      name: "podinfo",
      namespace: "podinfo",
      chartRef: { kind: "OCIRepository", name: "podinfo" },
    });
    const e = coreEvent({
      involvedObject: objectRef(hr),
      reason: "UpgradeSucceeded",
      message: "Helm upgrade succeeded",
      annotations: { [HELM_REVISION_ANNOTATION]: "6.6.1" },
      firstTimestamp: "2026-07-14T09:29:26Z",
      reportingComponent: "helm-controller",
    });
    expect(e.metadata.name).toBe(`podinfo.${(BigInt(Date.parse("2026-07-14T09:29:26Z")) * 1_000_000n).toString(16)}`);
    expect(e).toMatchObject({
      apiVersion: "v1",
      kind: "Event",
      metadata: { namespace: "podinfo", creationTimestamp: "2026-07-14T09:29:26Z" },
      involvedObject: {
        kind: "HelmRelease",
        apiVersion: "helm.toolkit.fluxcd.io/v2",
        name: "podinfo",
        uid: hr.metadata.uid,
      },
      source: { component: "helm-controller" },
      firstTimestamp: "2026-07-14T09:29:26Z",
      lastTimestamp: "2026-07-14T09:29:26Z",
      count: 1,
      type: "Normal",
      eventTime: null,
      reportingComponent: "helm-controller",
      reportingInstance: "",
    });
    expect("generation" in e.metadata).toBe(false);
    const argo = coreEvent({
      namespace: "argocd",
      involvedObject: { kind: "Application", name: "web", namespace: "argocd" },
      reason: "OperationStarted",
      message: "admin initiated sync to HEAD (abc)",
      firstTimestamp: "2026-07-14T09:29:26Z",
      source: { component: "argocd-server" },
      reportingComponent: "",
    });
    expect(argo).toMatchObject({
      source: { component: "argocd-server" },
      reportingComponent: "",
      reportingInstance: "",
    });
  });

  it("kubeTime drops sub-second precision and rejects invalid times", () => {
    expect(kubeTime("2025-08-15T11:11:58.53Z")).toBe("2025-08-15T11:11:58Z");
    expect(kubeTime("2025-08-15T13:11:58+02:00")).toBe("2025-08-15T11:11:58Z");
    expect(() => kubeTime("yesterday")).toThrow(/invalid time/);
  });
});
