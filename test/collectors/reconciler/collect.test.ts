import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { collectCluster } from "../../../src/collectors/reconciler/collect.js";
import { clusterSchema } from "../../../src/config/schema.js";
import {
  argoApplication,
  argoHistoryEntry,
  argoOperationState,
  coreEvent,
  type FakeArgoCd,
  type FakeKube,
  fakeDigest,
  fakeSha,
  fluxGitRevision,
  fluxSnapshot,
  gitRepository,
  helmRelease,
  helmSnapshot,
  KUSTOMIZE_REVISION_ANNOTATION,
  kustomization,
  objectRef,
  ociRepository,
  readyCondition,
  startFakeArgoCd,
  startFakeKube,
  writeKubeconfig,
} from "../../../src/demo/fake-cluster/index.js";
import { silentLogger } from "../../../src/log/logger.js";
import { type DB, openStore } from "../../../src/store/db.js";
import { listRuns } from "../../../src/store/ledger.js";
import { readDeployments } from "../../../src/store/reconciler-store.js";
import { tempDir } from "../../helpers/tmp.js";

/**
 * The cluster collector against a fake Kubernetes API and a fake Argo CD, serving objects built
 * like the real ones: pages, dedup across runs, truncation between runs, and each fault.
 */

const dir = tempDir("changeproof-reconciler-collect-");
let n = 0;
const freshStore = (): DB => openStore(path.join(dir, `c-${++n}.db`));
const now = () => new Date("2026-07-20T12:00:00Z");

const REPO = "https://github.com/acme/gitops.git";
const SRC = { repoURL: REPO, path: "apps/payments", targetRevision: "main" };
const sha = (s: string) => fakeSha(s);

const entry = (id: number, day: number, user?: string) =>
  argoHistoryEntry({
    id,
    revision: sha(`payments-${id}`),
    deployStartedAt: `2026-07-${String(day).padStart(2, "0")}T09:00:00Z`,
    deployedAt: `2026-07-${String(day).padStart(2, "0")}T09:00:30Z`,
    source: SRC,
    initiatedBy: user ? { username: user } : { automated: true },
  });

function payments(ids: number[], limit = 3) {
  return argoApplication({
    name: "payments",
    project: "payments",
    source: SRC,
    revisionHistoryLimit: limit,
    history: ids.map((id) => entry(id, id + 1, id === 1 ? "alice@acme.example" : undefined)),
    operationState: argoOperationState({
      phase: "Failed",
      message: "one or more objects failed to apply",
      startedAt: "2026-07-19T10:00:00Z",
      finishedAt: "2026-07-19T10:00:09Z",
      operation: { sync: { revision: sha("bad") }, initiatedBy: { automated: true } },
      syncResult: { revision: sha("bad"), source: SRC },
    }),
  });
}

const apps = kustomization({
  name: "apps",
  path: "./apps/prod",
  sourceRef: { kind: "GitRepository", name: "flux-system" },
  lastAppliedRevision: fluxGitRevision("main", sha("k2")),
  lastAttemptedRevision: fluxGitRevision("main", sha("k2")),
  conditions: [
    readyCondition({
      status: "True",
      reason: "ReconciliationSucceeded",
      message: `Applied revision: ${fluxGitRevision("main", sha("k2"))}`,
      lastTransitionTime: "2026-07-18T11:12:00Z",
    }),
  ],
  history: [
    fluxSnapshot({
      digest: fakeDigest("k2"),
      firstReconciled: "2026-07-18T11:11:00Z",
      lastReconciled: "2026-07-19T11:11:00Z",
      lastReconciledStatus: "ReconciliationSucceeded",
      totalReconciliations: 40,
      metadata: { revision: fluxGitRevision("main", sha("k2")) },
    }),
    fluxSnapshot({
      digest: fakeDigest("k1"),
      firstReconciled: "2026-07-10T08:00:00Z",
      lastReconciled: "2026-07-18T11:00:00Z",
      lastReconciledStatus: "HealthCheckFailed",
      totalReconciliations: 3,
      metadata: { revision: fluxGitRevision("main", sha("k1")) },
    }),
  ],
});

const podinfo = helmRelease({
  name: "podinfo",
  namespace: "podinfo",
  chart: { spec: { chart: "podinfo", version: "6.x", sourceRef: { kind: "HelmRepository", name: "podinfo" } } },
  history: [
    helmSnapshot({
      name: "podinfo",
      namespace: "podinfo",
      version: 2,
      status: "deployed",
      chartName: "podinfo",
      chartVersion: "6.6.1",
      firstDeployed: "2026-07-01T04:54:21Z",
      lastDeployed: "2026-07-15T04:54:55Z",
    }),
    helmSnapshot({
      name: "podinfo",
      namespace: "podinfo",
      version: 1,
      status: "superseded",
      chartName: "podinfo",
      chartVersion: "6.6.0",
      firstDeployed: "2026-07-01T04:54:21Z",
      lastDeployed: "2026-07-01T04:54:21Z",
    }),
  ],
});

const succeeded = coreEvent({
  namespace: "flux-system",
  involvedObject: objectRef(apps),
  reason: "ReconciliationSucceeded",
  message: "Reconciliation finished in 1.2s, next run in 10m0s",
  type: "Normal",
  annotations: { [KUSTOMIZE_REVISION_ANNOTATION]: fluxGitRevision("main", sha("k2")) },
  firstTimestamp: "2026-07-19T11:11:00Z",
  source: { component: "kustomize-controller" },
});

const TOKEN = "kube-token-for-the-collector-0001";
let kube: FakeKube;
let kubeconfig: string;

beforeAll(async () => {
  kube = await startFakeKube({
    tokens: {
      [TOKEN]: { name: "collector", allow: "all" },
      "kube-token-for-one-namespace-003": {
        name: "argocd-namespace-only",
        allow: [{ resource: "applications.argoproj.io/v1alpha1", namespace: "argocd" }],
      },
      "kube-token-without-flux-rights-02": {
        name: "argo-only",
        allow: [{ resource: "applications.argoproj.io/v1alpha1" }],
      },
    },
    objects: {
      "applications.argoproj.io/v1alpha1": [payments([0, 1, 2])],
      "kustomizations.kustomize.toolkit.fluxcd.io/v1": [apps],
      "helmreleases.helm.toolkit.fluxcd.io/v2": [podinfo],
      "gitrepositories.source.toolkit.fluxcd.io/v1": [
        gitRepository({
          name: "flux-system",
          url: REPO,
          artifact: { revision: fluxGitRevision("main", sha("k2")), lastUpdateTime: "2026-07-18T11:10:00Z" },
        }),
      ],
      events: [succeeded],
    },
    maxPageSize: 1,
  });
  kubeconfig = path.join(dir, "kubeconfig");
  writeKubeconfig(kubeconfig, { server: kube.url, token: TOKEN });
});
afterAll(async () => {
  await kube.close();
});

const cluster = (extra: Record<string, unknown> = {}) =>
  clusterSchema.parse({ name: "prod", kubernetes: { kubeconfig }, maxRetries: 2, ...extra });
const ctx = { log: silentLogger, now, env: {}, retryBaseMs: 1 };

describe("collectCluster from the Kubernetes API", () => {
  it("stores every kind of record once, resolves sources, and a second identical run adds nothing", async () => {
    const db = freshStore();
    const first = await collectCluster(db, cluster(), 0, ctx);
    expect(first.failed).toBe(false);
    expect(first.records.warnings).toEqual([]);
    expect(first.counts).toMatchObject({
      applications: 1,
      kustomizations: 1,
      helmReleases: 1,
      events: 1,
      deploymentsAdded: first.counts.deploymentsRead,
      eventsAdded: 1,
      observations: 3,
      historyGaps: 0,
    });
    // Argo CD's history is at its limit (3) at the first read, but its ids start at 0: nothing came before.
    expect(first.gaps).toEqual([]);
    const stored = readDeployments(db);
    expect(stored.map((d) => `${d.reconciler}:${d.basis}:${d.outcome}:${d.commit ?? d.revisions[0]}`).sort()).toEqual(
      [
        `argocd:history:succeeded:${sha("payments-0")}`,
        `argocd:history:succeeded:${sha("payments-1")}`,
        `argocd:history:succeeded:${sha("payments-2")}`,
        `argocd:operation:failed:${sha("bad")}`,
        `flux-helmrelease:history:succeeded:6.6.0`,
        `flux-helmrelease:history:succeeded:6.6.1`,
        `flux-kustomization:event:succeeded:${sha("k2")}`,
        `flux-kustomization:history:failed:${sha("k1")}`,
        `flux-kustomization:history:succeeded:${sha("k2")}`,
      ].sort(),
    );
    expect(stored.find((d) => d.initiatedBy === "alice@acme.example")).toMatchObject({ automated: false });
    expect(stored.find((d) => d.reconciler === "flux-kustomization" && d.basis === "history")).toMatchObject({
      sourceRepo: REPO,
      sourcePath: "./apps/prod",
    });
    // Events are asked for by the kinds that deploy, as field selectors.
    expect(kube.requests.filter((r) => r.resource === "events").map((r) => r.query.fieldSelector)).toEqual([
      ["involvedObject.kind=Application"],
      ["involvedObject.kind=Kustomization"],
      ["involvedObject.kind=HelmRelease"],
    ]);

    const second = await collectCluster(db, cluster(), 0, ctx);
    expect(second.counts).toMatchObject({ deploymentsAdded: 0, deploymentsUpdated: 0, eventsAdded: 0, historyGaps: 0 });
    expect(readDeployments(db)).toHaveLength(stored.length);
    const runs = listRuns(db).filter((r) => r.source === "reconciler");
    expect(runs.map((r) => r.status)).toEqual(["succeeded", "succeeded"]);
    expect(JSON.parse(runs[0]?.scope ?? "{}")).toEqual({ cluster: "prod" });
  });

  it("restarts a list whose continue token expired, and still reads it whole", async () => {
    const db = freshStore();
    const before = kube.requests.length;
    const second = argoApplication({ name: "orders", source: SRC, history: [entry(0, 3)] });
    kube.add("applications.argoproj.io/v1alpha1", second);
    kube.faults.add({ kind: "expireContinue" });
    try {
      const r = await collectCluster(db, cluster({ reconcilers: ["argocd"] }), 0, ctx);
      expect(r.failed).toBe(false);
      expect(kube.requests.slice(before).some((q) => q.status === 410)).toBe(true);
      expect(r.counts).toMatchObject({ applications: 2, deploymentsAdded: 5 });
    } finally {
      kube.remove("applications.argoproj.io/v1alpha1", "argocd", "orders");
    }
  });

  it("detects and records history the cluster dropped between two runs", async () => {
    const db = freshStore();
    await collectCluster(db, cluster({ reconcilers: ["argocd"] }), 0, ctx);
    kube.set("applications.argoproj.io/v1alpha1", [payments([6, 7, 8])]);
    try {
      const later = await collectCluster(db, cluster({ reconcilers: ["argocd"] }), 0, {
        ...ctx,
        now: () => new Date("2026-07-25T00:00:00Z"),
      });
      expect(later.counts.historyGaps).toBe(1);
      expect(later.gaps).toEqual([
        expect.stringMatching(
          /^argocd prod\/argocd\/payments: 3 history entries were dropped by the cluster before the read at .* \(deployed between 2026-07-03T09:00:30Z and 2026-07-07T09:00:30Z\); collect more often$/,
        ),
      ]);
      const run = listRuns(db)[0];
      expect(run).toMatchObject({ status: "succeeded", error: null });
      expect(
        db.prepare("SELECT run_id, kind, lost, after, before FROM reconciler_history_gaps WHERE kind = 'missed'").all(),
      ).toEqual([
        { run_id: run?.id, kind: "missed", lost: 3, after: "2026-07-03T09:00:30Z", before: "2026-07-07T09:00:30Z" },
      ]);
      // What the first run saw is kept, though the cluster forgot it.
      expect(readDeployments(db).filter((d) => d.basis === "history")).toHaveLength(6);
    } finally {
      kube.set("applications.argoproj.io/v1alpha1", [payments([0, 1, 2])]);
    }
  });

  it("detects a Kustomization's replaced history from the histories alone, reads months after their times", async () => {
    // Five applies a day apart from `day`; the read is in December, long after all of them.
    const applies = (from: number) =>
      kustomization({
        name: "apps",
        path: "./apps/prod",
        sourceRef: { kind: "GitRepository", name: "flux-system" },
        lastAppliedRevision: fluxGitRevision("main", sha(`apply-${from + 4}`)),
        history: [4, 3, 2, 1, 0].map((i) =>
          fluxSnapshot({
            digest: fakeDigest(`apply-${from + i}`),
            firstReconciled: `2026-07-${String(from + i).padStart(2, "0")}T10:00:00Z`,
            lastReconciled: `2026-07-${String(from + i).padStart(2, "0")}T10:00:05Z`,
            lastReconciledStatus: "ReconciliationSucceeded",
            metadata: { revision: fluxGitRevision("main", sha(`apply-${from + i}`)) },
          }),
        ),
      });
    const flux = cluster({ reconcilers: ["flux"], events: false });
    const december = (day: number) => ({ ...ctx, now: () => new Date(`2026-12-0${day}T00:00:00Z`) });
    const db = freshStore();
    kube.set("kustomizations.kustomize.toolkit.fluxcd.io/v1", [applies(1)]);
    try {
      await collectCluster(db, flux, 0, december(1));
      // Two more applies: the history still holds three the first read saw. Nothing was lost.
      kube.set("kustomizations.kustomize.toolkit.fluxcd.io/v1", [applies(3)]);
      const overlapping = await collectCluster(db, flux, 0, december(2));
      expect(overlapping.counts.historyGaps).toBe(0);
      // Every entry replaced since: the ones between may be lost, when is said in the history's times.
      kube.set("kustomizations.kustomize.toolkit.fluxcd.io/v1", [applies(10)]);
      const replaced = await collectCluster(db, flux, 0, december(3));
      expect(replaced.counts.historyGaps).toBe(1);
      expect(replaced.gaps).toEqual([
        expect.stringMatching(
          /^flux-kustomization prod\/flux-system\/apps: the history was full at the read at 2026-12-03T00:00:00\.000Z and its oldest entry \(2026-07-10T10:00:05Z\) is newer than the newest one the previous read saw \(2026-07-07T10:00:05Z\)/,
        ),
      ]);
      expect(
        db.prepare("SELECT kind, after, before FROM reconciler_history_gaps WHERE kind = 'possibly-missed'").all(),
      ).toEqual([{ kind: "possibly-missed", after: "2026-07-07T10:00:05Z", before: "2026-07-10T10:00:05Z" }]);
    } finally {
      kube.set("kustomizations.kustomize.toolkit.fluxcd.io/v1", [apps]);
    }
  });

  it("marks an Argo CD rollback older than the current operation from Argo CD's event, in whichever read it comes", async () => {
    // A manual app: alice rolled back to entry 0 on 5 July (entry 2), then bob synced the tip by
    // hand (entry 3, the current operation, an ordinary sync). Only the event says entry 2 was a rollback.
    const manual = (at: string, id: number, revisionOf: number, user: string) =>
      argoHistoryEntry({
        id,
        revision: sha(`payments-${revisionOf}`),
        deployStartedAt: at,
        deployedAt: at.replace(":00Z", ":30Z"),
        source: SRC,
        initiatedBy: { username: user },
      });
    const app = argoApplication({
      name: "payments",
      project: "payments",
      source: SRC,
      history: [
        manual("2026-07-01T09:00:00Z", 0, 0, "alice@acme.example"),
        manual("2026-07-03T09:00:00Z", 1, 1, "bob@acme.example"),
        manual("2026-07-05T09:00:00Z", 2, 0, "alice@acme.example"),
        manual("2026-07-06T09:00:00Z", 3, 1, "bob@acme.example"),
      ],
      operationState: argoOperationState({
        phase: "Succeeded",
        startedAt: "2026-07-06T09:00:00Z",
        finishedAt: "2026-07-06T09:00:30Z",
        operation: { sync: { revision: sha("payments-1") }, initiatedBy: { username: "bob@acme.example" } },
        syncResult: { revision: sha("payments-1"), source: SRC },
      }),
    });
    const rollbackEvent = (message: string) =>
      coreEvent({
        namespace: "argocd",
        involvedObject: objectRef(app),
        reason: "OperationStarted",
        message,
        type: "Normal",
        firstTimestamp: "2026-07-05T09:00:00Z",
        source: { component: "argocd-server" },
      });
    const rolledBack = rollbackEvent("alice@acme.example initiated rollback to 0");
    const rollbacks = (db: DB) =>
      (
        db
          .prepare(
            "SELECT json_extract(detail, '$.historyId') AS id FROM deployments WHERE reconciler = 'argocd' AND rollback = 1",
          )
          .all() as { id: number }[]
      ).map((r) => r.id);
    const argoOnly = cluster({ reconcilers: ["argocd"] });
    kube.set("applications.argoproj.io/v1alpha1", [app]);
    try {
      // The entry first, the event in a later read.
      kube.set("events", []);
      const db = freshStore();
      await collectCluster(db, argoOnly, 0, ctx);
      expect(rollbacks(db)).toEqual([]);
      kube.set("events", [rolledBack]);
      const later = await collectCluster(db, argoOnly, 0, ctx);
      expect(later.counts.rollbacksMarked).toBe(1);
      expect(rollbacks(db)).toEqual([2]);
      // Both in one read; the next read changes nothing.
      const once = freshStore();
      await collectCluster(once, argoOnly, 0, ctx);
      expect(rollbacks(once)).toEqual([2]);
      const again = await collectCluster(once, argoOnly, 0, ctx);
      expect(again.counts.rollbacksMarked).toBe(0);
      expect(rollbacks(once)).toEqual([2]);
      // Another user's event, or a rollback to an entry never stored, marks nothing.
      for (const message of [
        "bob@acme.example initiated rollback to 0",
        "alice@acme.example initiated rollback to 7",
      ]) {
        kube.set("events", [rollbackEvent(message)]);
        const other = freshStore();
        await collectCluster(other, argoOnly, 0, ctx);
        expect(rollbacks(other), message).toEqual([]);
      }
    } finally {
      kube.set("applications.argoproj.io/v1alpha1", [payments([0, 1, 2])]);
      kube.set("events", [succeeded]);
    }
  });

  it("refused credentials: one line naming the cluster and the kubeconfig, a failed run, nothing stored lost", async () => {
    const db = freshStore();
    await collectCluster(db, cluster({ reconcilers: ["argocd"] }), 0, ctx);
    const bad = path.join(dir, "bad-kubeconfig");
    writeKubeconfig(bad, { server: kube.url, token: "revoked-token-000000000000" });
    const e = await collectCluster(db, cluster({ kubernetes: { kubeconfig: bad } }), 0, ctx).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "E_CLUSTER_AUTH" });
    expect((e as Error).message).toMatch(
      new RegExp(
        `^cluster prod: the API server at ${kube.url} refused the credentials from kubeconfig ${bad}, context fake \\(401: Unauthorized\\)$`,
      ),
    );
    expect((e as Error).message).not.toContain("revoked-token");
    expect(listRuns(db)[0]).toMatchObject({ status: "failed" });
    expect(readDeployments(db)).toHaveLength(4);
  });

  it("a list the credentials may not read: the rest is stored, the run is failed and says which list", async () => {
    const db = freshStore();
    const limited = path.join(dir, "limited-kubeconfig");
    writeKubeconfig(limited, { server: kube.url, token: "kube-token-without-flux-rights-02" });
    const r = await collectCluster(db, cluster({ kubernetes: { kubeconfig: limited } }), 0, ctx);
    expect(r.failed).toBe(true);
    expect(r.error).toMatch(/may not list kustomizations\.kustomize\.toolkit\.fluxcd\.io \(403: .*forbidden/);
    expect(readDeployments(db).filter((d) => d.reconciler === "argocd")).toHaveLength(4);
    expect(listRuns(db)[0]).toMatchObject({ status: "failed" });
  });

  it("retries a 500 and gives up with a clear line after the configured attempts; other lists still stored", async () => {
    const db = freshStore();
    const fault = kube.faults.add({
      kind: "status",
      code: 500,
      message: "etcdserver: request timed out",
      persistent: true,
      resource: "helmreleases.helm.toolkit.fluxcd.io/v2",
    });
    try {
      const r = await collectCluster(db, cluster({ events: false }), 0, ctx);
      expect(r.failed).toBe(true);
      expect(r.error).toBe(
        `cluster prod: listing helmreleases.helm.toolkit.fluxcd.io at ${kube.url} failed: HTTP 500: etcdserver: request timed out (after 3 attempts)`,
      );
      expect(readDeployments(db).some((d) => d.reconciler === "flux-kustomization")).toBe(true);
    } finally {
      fault.remove();
    }
  });

  it("a server that does not answer in time is a timeout, not a hang", async () => {
    const db = freshStore();
    const fault = kube.faults.add({ kind: "slow", delayMs: 5_000, persistent: true });
    try {
      const e = await collectCluster(
        db,
        cluster({ timeoutSeconds: 0.2, maxRetries: 0, reconcilers: ["argocd"] }),
        0,
        ctx,
      ).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: "E_CLUSTER_TIMEOUT" });
      expect((e as Error).message).toContain("no complete answer within 0.2 s");
    } finally {
      fault.remove();
    }
  });

  it("an answer cut off mid-body is retried, then read whole", async () => {
    const db = freshStore();
    kube.faults.add({ kind: "truncated", resource: "applications.argoproj.io/v1alpha1" });
    const r = await collectCluster(db, cluster({ reconcilers: ["argocd"] }), 0, ctx);
    expect(r.failed).toBe(false);
    expect(r.counts.retries).toBe(1);
    expect(r.counts.deploymentsAdded).toBe(4);
  });

  it("skips a malformed object with a warning naming it, and an object without status quietly", async () => {
    const db = freshStore();
    const broken = payments([0]);
    (broken.status as { history: { deployedAt: string }[] }).history[0] = {
      ...(broken.status as { history: { deployedAt: string }[] }).history[0],
      deployedAt: "yesterday",
    } as { deployedAt: string };
    const renamed = { ...broken, metadata: { ...broken.metadata, name: "broken" } };
    const fresh = argoApplication({ name: "fresh", source: SRC, status: false });
    kube.add("applications.argoproj.io/v1alpha1", renamed, fresh);
    try {
      const r = await collectCluster(db, cluster({ reconcilers: ["argocd"] }), 0, ctx);
      expect(r.records.warnings).toEqual([
        expect.stringMatching(/^Application argocd\/broken: status\.history\[0\] skipped, deployedAt /),
      ]);
      expect(r.failed).toBe(false);
      // The broken entry alone is skipped: the app's failed sync is kept.
      expect(r.counts.deploymentsAdded).toBe(5);
    } finally {
      kube.remove("applications.argoproj.io/v1alpha1", "argocd", "broken");
      kube.remove("applications.argoproj.io/v1alpha1", "argocd", "fresh");
    }
  });

  it("reads only the configured namespaces, through the namespaced paths a Role allows", async () => {
    const scoped = path.join(dir, "scoped-kubeconfig");
    writeKubeconfig(scoped, { server: kube.url, token: "kube-token-for-one-namespace-003" });
    const db = freshStore();
    const r = await collectCluster(
      db,
      cluster({ kubernetes: { kubeconfig: scoped }, reconcilers: ["argocd"], namespaces: ["argocd"], events: false }),
      0,
      ctx,
    );
    expect(r.failed).toBe(false);
    expect(r.counts.deploymentsAdded).toBe(4);
    expect(kube.requests.at(-1)?.path).toBe("/apis/argoproj.io/v1alpha1/namespaces/argocd/applications");
    // Cluster-wide, the same credentials are refused, and the run says so.
    const wide = await collectCluster(
      db,
      cluster({ kubernetes: { kubeconfig: scoped }, reconcilers: ["argocd"] }),
      0,
      ctx,
    ).catch((x: unknown) => x);
    expect((wide as Error).message).toMatch(
      /may not list applications\.argoproj\.io \(403: .*at the cluster scope\); apply deploy\/rbac\.yaml$/,
    );
  });

  it("reads the versions an older Flux serves, and notes a reconciler that is not installed", async () => {
    const old = await startFakeKube({
      tokens: { [TOKEN]: { allow: "all" } },
      served: [
        "kustomizations.kustomize.toolkit.fluxcd.io/v1",
        "ocirepositories.source.toolkit.fluxcd.io/v1beta2",
        "events",
      ],
      objects: {
        "kustomizations.kustomize.toolkit.fluxcd.io/v1": [
          kustomization({
            name: "apps",
            path: "./apps",
            sourceRef: { kind: "OCIRepository", name: "manifests" },
            lastAppliedRevision: `latest@sha256:${"a".repeat(64)}`,
            history: [
              fluxSnapshot({
                digest: fakeDigest("oci"),
                firstReconciled: "2026-07-03T10:00:00Z",
                lastReconciled: "2026-07-03T11:00:00Z",
                lastReconciledStatus: "ReconciliationSucceeded",
                metadata: { revision: `latest@sha256:${"a".repeat(64)}` },
              }),
            ],
          }),
        ],
        "ocirepositories.source.toolkit.fluxcd.io/v1beta2": [
          ociRepository({
            name: "manifests",
            url: "oci://ghcr.io/acme/manifests",
            apiVersion: "source.toolkit.fluxcd.io/v1beta2",
          }),
        ],
      },
    });
    try {
      const oldConfig = path.join(dir, "old-flux-kubeconfig");
      writeKubeconfig(oldConfig, { server: old.url, token: TOKEN });
      const r = await collectCluster(freshStore(), cluster({ kubernetes: { kubeconfig: oldConfig } }), 0, ctx);
      expect(r.failed).toBe(false);
      expect(r.records.deployments.find((d) => d.basis === "history")?.sourceRepo).toBe("oci://ghcr.io/acme/manifests");
      expect(r.notes).toEqual([
        "applications.argoproj.io is not served (v1alpha1)",
        "helmreleases.helm.toolkit.fluxcd.io is not served (v2, v2beta2, v2beta1)",
      ]);
    } finally {
      await old.close();
    }
  });

  it("names a kubeconfig context that does not exist", async () => {
    const e = await collectCluster(freshStore(), cluster({ kubernetes: { kubeconfig, context: "prd" } }), 2, ctx).catch(
      (x: unknown) => x,
    );
    expect((e as Error).message).toBe(
      `clusters[2].kubernetes.context: ${kubeconfig} has no context "prd" (it has: fake)`,
    );
  });
});

describe("collectCluster from Argo CD's API and from files", () => {
  let argo: FakeArgoCd;
  const ARGO_TOKEN = "argocd-api-token-for-tests-000001";
  beforeAll(async () => {
    argo = await startFakeArgoCd({
      tokens: { [ARGO_TOKEN]: { projects: ["payments"] } },
      applications: [payments([0, 1, 2]), argoApplication({ name: "other", project: "other", source: SRC })],
    });
  });
  afterAll(async () => {
    await argo.close();
  });
  const viaApi = (extra: Record<string, unknown> = {}, namespaces?: string[]) =>
    clusterSchema.parse({
      name: "staging",
      argocdApi: { url: argo.url, projects: ["payments"], ...extra },
      maxRetries: 1,
      ...(namespaces ? { namespaces } : {}),
    });

  it("reads applications with the token, never asks Argo CD to refresh, and dedups across runs", async () => {
    const db = freshStore();
    const env = { ARGOCD_TOKEN: ARGO_TOKEN };
    const r = await collectCluster(db, viaApi(), 0, { ...ctx, env });
    expect(r.counts).toMatchObject({ applications: 1, deploymentsAdded: 4 });
    expect((await collectCluster(db, viaApi(), 0, { ...ctx, env })).counts.deploymentsAdded).toBe(0);
    expect(argo.requests.every((q) => !("refresh" in q.query))).toBe(true);
    expect(argo.requests.at(-1)?.query.projects).toEqual(["payments"]);
  });

  it("reads apps in any namespace one appNamespace at a time, and notes a token that sees none", async () => {
    const env = { ARGOCD_TOKEN: ARGO_TOKEN };
    const before = argo.requests.length;
    const r = await collectCluster(freshStore(), viaApi({}, ["argocd", "team-a"]), 0, { ...ctx, env });
    expect(argo.requests.slice(before).map((q) => q.query.appNamespace)).toEqual([["argocd"], ["team-a"]]);
    expect(r.counts.applications).toBe(1);
    const none = await collectCluster(freshStore(), viaApi({ projects: ["nobody"] }), 0, { ...ctx, env });
    expect(none.notes).toEqual([
      expect.stringMatching(/^Argo CD listed no applications: the token's RBAC may hide them/),
    ]);
  });

  it("a refused token and a missing one are clear errors that never show the token", async () => {
    const e = await collectCluster(freshStore(), viaApi(), 0, {
      ...ctx,
      env: { ARGOCD_TOKEN: "wrong-token-0000000000" },
    }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "E_CLUSTER_AUTH" });
    expect((e as Error).message).toMatch(
      /^cluster staging: Argo CD at http:\/\/127\.0\.0\.1:\d+ refused the token in \$ARGOCD_TOKEN \(401: /,
    );
    expect((e as Error).message).not.toContain("wrong-token");
    const missing = await collectCluster(freshStore(), viaApi(), 4, { ...ctx, env: {} }).catch((x: unknown) => x);
    expect((missing as Error).message).toMatch(/^clusters\[4\]\.argocdApi\.tokenEnv: \$ARGOCD_TOKEN is not set/);
  });

  it("reads kubectl exports (a JSON List and YAML documents), each object once however often imported", async () => {
    const db = freshStore();
    const json = path.join(dir, "apps.json");
    writeFileSync(json, JSON.stringify({ apiVersion: "v1", kind: "List", items: [payments([0, 1, 2])], metadata: {} }));
    const yaml = path.join(dir, "flux.yaml");
    writeFileSync(
      yaml,
      `${stringify(apps)}---\n${stringify(podinfo)}---\n${stringify({ kind: "ConfigMap", metadata: { name: "x" } })}`,
    );
    const files = clusterSchema.parse({ name: "archive", files: [json, yaml] });
    const r = await collectCluster(db, files, 0, ctx);
    expect(r.counts).toMatchObject({ applications: 1, kustomizations: 1, helmReleases: 1 });
    expect(r.records.warnings).toEqual([`${yaml}: 1 ConfigMap object(s) are not reconciler records; skipped`]);
    expect((await collectCluster(db, files, 0, ctx)).counts.deploymentsAdded).toBe(0);
  });

  it("a file that is neither JSON nor YAML is named", async () => {
    const bad = path.join(dir, "bad.json");
    writeFileSync(bad, '{"kind": "List", "items": [');
    const e = await collectCluster(freshStore(), clusterSchema.parse({ name: "archive", files: [bad] }), 0, ctx).catch(
      (x: unknown) => x,
    );
    expect((e as Error).message).toMatch(new RegExp(`^cluster archive: ${bad} is neither JSON nor YAML`));
  });
});
