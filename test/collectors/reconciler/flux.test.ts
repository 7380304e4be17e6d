import { describe, expect, it } from "vitest";
import { deploymentKey } from "../../../src/collectors/reconciler/deployment.js";
import {
  coreEventRecords,
  helmReleaseDeployments,
  kustomizationDeployments,
  type SourceIndex,
  sourceIndex,
  webhookEventRecords,
} from "../../../src/collectors/reconciler/flux.js";

/**
 * Objects shaped like Flux's own (docs/reference/reconcilers.md §2-§6: the Kustomization,
 * HelmRelease, Event and webhook examples there), built per case.
 */

const A = "450796ddb2ab6724ee1cc32a4be56da032d1cca0";
const B = "67e2c98a60dc92283531412a9e604dd4bae005a9";
const C = "d11dc3159634606cafccb94cb9c2a22d3fbe90e7";
const DIGEST_1 = "sha256:43ad78c94b2655429d84f21488f29d7cca9cd45b7f54d2b27e16bbec8eff9228";
const DIGEST_2 = "sha256:ec8dbfe61777b65001190260cf873ffe454451bd2e464bd6f9a154cffcdcd7e5";
const OCI_DIGEST = "sha256:0cc9a8446c95009ef382f5eade883a67c257f77d50f84e78ecef2aac9428d1e5";
const FLEET = "https://github.com/acme/fleet.git";
const CHARTS = "https://stefanprodan.github.io/podinfo";
const AT = "2025-08-15T12:00:00.000Z";
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

const SOURCES: unknown[] = [
  {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { name: "flux-system", namespace: "flux-system" },
    spec: { url: FLEET, ref: { branch: "main" }, interval: "1m0s" },
    status: { artifact: { revision: `main@sha1:${A}`, digest: DIGEST_1, path: "x", url: "y" } },
  },
  {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "HelmRepository",
    metadata: { name: "podinfo", namespace: "flux-system" },
    spec: { url: CHARTS, interval: "5m0s" },
  },
  {
    apiVersion: "source.toolkit.fluxcd.io/v1beta2",
    kind: "OCIRepository",
    metadata: { name: "podinfo-chart", namespace: "podinfo" },
    spec: { url: "oci://ghcr.io/stefanprodan/charts/podinfo", ref: { semver: "6.x" } },
    status: { artifact: { revision: `6.6.1@${OCI_DIGEST}` } },
  },
  {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "Bucket",
    metadata: { name: "manifests", namespace: "flux-system" },
    spec: { endpoint: "minio.acme.internal", bucketName: "fleet", interval: "5m0s" },
  },
];
const { index: SRC } = sourceIndex(SOURCES);
const EMPTY: SourceIndex = sourceIndex([]).index;

function ks(status: Record<string, unknown> | undefined, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: "apps", namespace: "flux-system", uid: "7d0cdc51-ddcf-4743-b223-83ca5c699632" },
    spec: {
      interval: "10m0s",
      path: "./apps/prod",
      prune: true,
      sourceRef: { kind: "GitRepository", name: "flux-system" },
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}

const ready = (status: "True" | "False", reason: string, message: string, at: string) => ({
  type: "Ready",
  status,
  observedGeneration: 12,
  lastTransitionTime: at,
  reason,
  message,
});

const snapshot = (
  digest: string,
  status: string,
  first: string,
  last: string,
  metadata: Record<string, string>,
  total = 1,
) => ({
  digest,
  firstReconciled: first,
  lastReconciled: last,
  lastReconciledDuration: "2.818583s",
  lastReconciledStatus: status,
  totalReconciliations: total,
  metadata,
});

const SUCCEEDED = snapshot(DIGEST_1, "ReconciliationSucceeded", "2025-08-15T10:11:00Z", "2025-08-15T11:12:00Z", {
  revision: `v1.0.1@sha1:${A}`,
});
const HEALTH_FAILED = snapshot(
  DIGEST_2,
  "HealthCheckFailed",
  "2025-07-14T13:10:00Z",
  "2025-08-15T10:00:00Z",
  { revision: `v1.0.0@sha1:${B}` },
  120,
);

describe("sourceIndex", () => {
  it("indexes sources by kind, namespace and name with their URL and artifact revision", () => {
    const { index, warnings } = sourceIndex(SOURCES);
    expect(warnings).toEqual([]);
    expect(index.size).toBe(4);
    expect(index.lookup("GitRepository", "flux-system", "flux-system")).toEqual({
      url: FLEET,
      artifactRevision: `main@sha1:${A}`,
    });
    expect(index.lookup("HelmRepository", "flux-system", "podinfo")).toEqual({ url: CHARTS, artifactRevision: null });
    expect(index.lookup("Bucket", "flux-system", "manifests")).toEqual({
      url: "minio.acme.internal/fleet",
      artifactRevision: null,
    });
    expect(index.lookup("GitRepository", "default", "flux-system")).toBeNull();
    expect(index.lookup("OCIRepository", "flux-system", "flux-system")).toBeNull();
  });

  it("skips a source without a name, with a warning naming it", () => {
    const { index, warnings } = sourceIndex([{ kind: "GitRepository", metadata: { namespace: "flux-system" } }, 7]);
    expect(index.size).toBe(0);
    expect(warnings).toEqual([
      "GitRepository flux-system/?: skipped, metadata.name is required",
      "Flux source ?/?: skipped, the object is not an object",
    ]);
  });
});

describe("kustomizationDeployments", () => {
  const withHistory = ks({
    observedGeneration: 12,
    lastHandledReconcileAt: "2025-08-15T11:11:58.53Z",
    lastAppliedRevision: `v1.0.1@sha1:${A}`,
    lastAttemptedRevision: `v1.0.1@sha1:${A}`,
    conditions: [
      ready("True", "ReconciliationSucceeded", `Applied revision: v1.0.1@sha1:${A}`, "2025-08-15T11:12:00Z"),
    ],
    history: [SUCCEEDED, HEALTH_FAILED],
  });

  it("maps each history entry, succeeded or failed, with the exact fields", () => {
    const o = kustomizationDeployments(withHistory, "prod", AT, SRC);
    expect(o.warnings).toEqual([]);
    expect(o.deployments).toEqual([
      {
        reconciler: "flux-kustomization",
        cluster: "prod",
        namespace: "flux-system",
        name: "apps",
        basis: "history",
        identity: `${DIGEST_1}|ReconciliationSucceeded|2025-08-15T10:11:00Z`,
        sourceRepo: FLEET,
        sourcePath: "./apps/prod",
        revisions: [`v1.0.1@sha1:${A}`],
        commit: A,
        startedAt: "2025-08-15T10:11:00Z",
        finishedAt: "2025-08-15T11:12:00Z",
        initiatedBy: null,
        automated: true,
        outcome: "succeeded",
        rollback: false,
        evidence: "status.history[0]",
        detail: {
          digest: DIGEST_1,
          status: "ReconciliationSucceeded",
          totalReconciliations: 1,
          lastReconciledDuration: "2.818583s",
          originRevision: null,
        },
      },
      {
        reconciler: "flux-kustomization",
        cluster: "prod",
        namespace: "flux-system",
        name: "apps",
        basis: "history",
        identity: `${DIGEST_2}|HealthCheckFailed|2025-07-14T13:10:00Z`,
        sourceRepo: FLEET,
        sourcePath: "./apps/prod",
        revisions: [`v1.0.0@sha1:${B}`],
        commit: B,
        startedAt: "2025-07-14T13:10:00Z",
        finishedAt: "2025-08-15T10:00:00Z",
        initiatedBy: null,
        automated: true,
        outcome: "failed",
        rollback: false,
        evidence: "status.history[1]",
        detail: {
          digest: DIGEST_2,
          status: "HealthCheckFailed",
          totalReconciliations: 120,
          lastReconciledDuration: "2.818583s",
          originRevision: null,
        },
      },
    ]);
  });

  it("observes the history: 5 at most, complete back to the oldest lastReconciled", () => {
    const o = kustomizationDeployments(withHistory, "prod", AT, SRC);
    expect(o.observation).toEqual({
      reconciler: "flux-kustomization",
      cluster: "prod",
      namespace: "flux-system",
      name: "apps",
      observedAt: AT,
      entries: 2,
      capacity: 5,
      horizon: "2025-08-15T10:00:00Z",
      newest: "2025-08-15T11:12:00Z",
      seqMin: null,
      seqMax: null,
      state:
        "Ready True (ReconciliationSucceeded); applied v1.0.1@sha1:450796ddb2ab6724ee1cc32a4be56da032d1cca0; source at main@sha1:450796ddb2ab6724ee1cc32a4be56da032d1cca0",
    });
  });

  it("keeps the same key when Flux moves a newer revision onto an existing entry", () => {
    const before = kustomizationDeployments(ks({ history: [SUCCEEDED] }), "prod", AT, SRC);
    const moved = {
      ...SUCCEEDED,
      lastReconciled: "2025-08-15T11:42:00Z",
      totalReconciliations: 2,
      metadata: { revision: `main@sha1:${C}` },
    };
    const after = kustomizationDeployments(ks({ history: [moved] }), "prod", AT, SRC);
    const [b] = before.deployments;
    const [a] = after.deployments;
    expect(b && a && deploymentKey(a)).toBe(b && deploymentKey(b));
    expect(a).toMatchObject({ revisions: [`main@sha1:${C}`], commit: C, finishedAt: "2025-08-15T11:42:00Z" });
  });

  it("keeps every key when an entry moves to the front", () => {
    const first = kustomizationDeployments(ks({ history: [SUCCEEDED, HEALTH_FAILED] }), "prod", AT, SRC);
    const again = { ...HEALTH_FAILED, lastReconciled: "2025-08-15T11:30:00Z", totalReconciliations: 121 };
    const second = kustomizationDeployments(ks({ history: [again, SUCCEEDED] }), "prod", AT, SRC);
    expect(second.deployments.map(deploymentKey).sort()).toEqual(first.deployments.map(deploymentKey).sort());
    expect(second.deployments[0]).toMatchObject({ evidence: "status.history[0]", outcome: "failed" });
  });

  it("records a failed attempt that never reached history from the Ready condition", () => {
    const o = kustomizationDeployments(
      ks({
        lastAppliedRevision: `main@sha1:${A}`,
        lastAttemptedRevision: `main@sha1:${C}`,
        conditions: [
          ready(
            "False",
            "BuildFailed",
            "kustomize build failed: accumulating resources: missing.yaml",
            "2025-08-15T11:20:00Z",
          ),
        ],
        history: [SUCCEEDED],
      }),
      "prod",
      AT,
      SRC,
    );
    expect(o.deployments).toHaveLength(2);
    expect(o.deployments[1]).toEqual({
      reconciler: "flux-kustomization",
      cluster: "prod",
      namespace: "flux-system",
      name: "apps",
      basis: "status",
      identity: `attempted|main@sha1:${C}|BuildFailed|2025-08-15T11:20:00Z`,
      sourceRepo: FLEET,
      sourcePath: "./apps/prod",
      revisions: [`main@sha1:${C}`],
      commit: C,
      startedAt: null,
      finishedAt: "2025-08-15T11:20:00Z",
      initiatedBy: null,
      automated: true,
      outcome: "failed",
      rollback: false,
      evidence: "status.lastAttemptedRevision",
      detail: { reason: "BuildFailed", message: "kustomize build failed: accumulating resources: missing.yaml" },
    });
  });

  it("records nothing from status when the attempt is the applied revision, or Ready is not False", () => {
    const same = ks({
      lastAppliedRevision: `main@sha1:${A}`,
      lastAttemptedRevision: `main@sha1:${A}`,
      conditions: [ready("False", "HealthCheckFailed", "timeout", "2025-08-15T11:20:00Z")],
      history: [],
    });
    expect(kustomizationDeployments(same, "prod", AT, SRC).deployments).toEqual([]);
    const progressing = ks({
      lastAppliedRevision: `main@sha1:${A}`,
      lastAttemptedRevision: `main@sha1:${C}`,
      conditions: [{ type: "Ready", status: "Unknown", reason: "Progressing", message: "Reconciliation in progress" }],
      history: [],
    });
    expect(kustomizationDeployments(progressing, "prod", AT, SRC).deployments).toEqual([]);
  });

  it("reads status records before Flux 2.7 (no history): the Ready transition that names the revision", () => {
    const o = kustomizationDeployments(
      ks({
        lastHandledReconcileAt: "2025-08-15T11:11:58.53Z",
        lastAppliedRevision: `main@sha1:${A}`,
        lastAttemptedRevision: `main@sha1:${A}`,
        conditions: [
          ready("True", "ReconciliationSucceeded", `Applied revision: main@sha1:${A}`, "2025-08-15T11:12:00Z"),
        ],
      }),
      "prod",
      AT,
      SRC,
    );
    // Keeping no history is observed (capacity 0): the report says deployments between reads may be missing.
    expect(o.observation).toMatchObject({ capacity: 0, entries: 1, horizon: null, seqMin: null });
    expect(o.warnings).toEqual([]);
    expect(o.deployments).toEqual([
      {
        reconciler: "flux-kustomization",
        cluster: "prod",
        namespace: "flux-system",
        name: "apps",
        basis: "status",
        identity: `applied|main@sha1:${A}|2025-08-15T11:12:00Z`,
        sourceRepo: FLEET,
        sourcePath: "./apps/prod",
        revisions: [`main@sha1:${A}`],
        commit: A,
        startedAt: null,
        finishedAt: "2025-08-15T11:12:00Z",
        initiatedBy: null,
        automated: true,
        outcome: "succeeded",
        rollback: false,
        evidence: "status.lastAppliedRevision",
        detail: { observedAt: AT, originRevision: null, lastHandledReconcileAt: "2025-08-15T11:11:58.53Z" },
      },
    ]);
  });

  it.each([
    ["RFC-0005", `main@sha1:${B}`],
    ["legacy", `main/${B}`],
  ])("reads the commit of a %s revision, and the observation time when Ready does not name it", (_, revision) => {
    const o = kustomizationDeployments(
      ks({
        lastAppliedRevision: revision,
        lastAttemptedRevision: `main/${C}`,
        conditions: [ready("False", "HealthCheckFailed", "Health check failed after 5m0s", "2025-08-15T11:30:00Z")],
      }),
      "prod",
      AT,
      SRC,
    );
    expect(o.deployments).toEqual([
      expect.objectContaining({
        basis: "status",
        identity: `applied|${revision}|${AT}`,
        revisions: [revision],
        commit: B,
        finishedAt: AT,
        outcome: "succeeded",
      }),
      expect.objectContaining({
        identity: `attempted|main/${C}|HealthCheckFailed|2025-08-15T11:30:00Z`,
        commit: C,
        finishedAt: "2025-08-15T11:30:00Z",
        outcome: "failed",
      }),
    ]);
  });

  it("prefers the origin revision for the commit (OCI sources)", () => {
    const oci = snapshot(DIGEST_1, "ReconciliationSucceeded", "2025-08-15T10:11:00Z", "2025-08-15T11:12:00Z", {
      revision: `latest@${OCI_DIGEST}`,
      originRevision: `main@sha1:${C}`,
    });
    const o = kustomizationDeployments(
      ks({ history: [oci] }, { sourceRef: { kind: "OCIRepository", name: "podinfo-chart", namespace: "podinfo" } }),
      "prod",
      AT,
      SRC,
    );
    expect(o.deployments[0]).toMatchObject({
      revisions: [`latest@${OCI_DIGEST}`],
      commit: C,
      sourceRepo: "oci://ghcr.io/stefanprodan/charts/podinfo",
      detail: { originRevision: `main@sha1:${C}` },
    });
  });

  it("leaves the source repo unknown when the index does not have the source", () => {
    const o = kustomizationDeployments(ks({ history: [SUCCEEDED] }, { path: undefined }), "prod", AT, EMPTY);
    expect(o.deployments[0]).toMatchObject({ sourceRepo: null, sourcePath: null });
  });

  it("gives no records and no warning for an object without status", () => {
    expect(kustomizationDeployments(ks(undefined), "prod", AT, SRC)).toEqual({
      deployments: [],
      observation: null,
      warnings: [],
    });
  });

  it.each([
    [
      "a bad timestamp",
      ks({ history: [{ ...SUCCEEDED, firstReconciled: "not-a-date" }] }),
      "Kustomization flux-system/apps: skipped, status.history.0.firstReconciled is not a date",
    ],
    [
      "a missing name",
      { ...ks({ history: [SUCCEEDED] }), metadata: { namespace: "flux-system" } },
      "Kustomization flux-system/?: skipped, metadata.name is required",
    ],
    ["not an object", "apps", "Kustomization ?/?: skipped, the object is not an object"],
    [
      "a bad condition time",
      ks({ conditions: [ready("True", "ReconciliationSucceeded", "ok", "yesterday")] }),
      "Kustomization flux-system/apps: skipped, status.conditions.0.lastTransitionTime is not a date",
    ],
  ])("skips an object with %s, with one warning naming it", (_, raw, warning) => {
    expect(kustomizationDeployments(raw, "prod", AT, SRC)).toEqual({
      deployments: [],
      observation: null,
      warnings: [warning],
    });
  });
});

function hr(status: Record<string, unknown> | undefined, spec?: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: "helm.toolkit.fluxcd.io/v2",
    kind: "HelmRelease",
    metadata: { name: "podinfo", namespace: "podinfo" },
    spec: spec ?? {
      interval: "10m",
      chart: {
        spec: {
          chart: "podinfo",
          version: "6.x",
          sourceRef: { kind: "HelmRepository", name: "podinfo", namespace: "flux-system" },
        },
      },
    },
    ...(status ? { status } : {}),
  };
}

const release = (version: number, status: string, chartVersion: string, lastDeployed: string, extra = {}) => ({
  appVersion: chartVersion.split("+")[0],
  chartName: "podinfo",
  chartVersion,
  configDigest: "sha256:e15c415d62760896bd8bec192a44c5716dc224db9e0fc609b9ac14718f8f9e56",
  digest: `sha256:${String(version).repeat(64).slice(0, 64)}`,
  firstDeployed: "2024-05-07T04:54:21Z",
  lastDeployed,
  name: "podinfo",
  namespace: "podinfo",
  status,
  version,
  ...extra,
});

describe("helmReleaseDeployments", () => {
  const V2 = release(2, "deployed", "6.6.1+0cc9a8446c95", "2024-05-07T04:54:55Z", {
    ociDigest: OCI_DIGEST,
    testHooks: { "podinfo-grpc-test-goyey": { lastStarted: "2024-05-07T04:55:09Z", phase: "Succeeded" } },
  });
  const V1 = release(1, "superseded", "6.6.0+cdd538a0167e", "2024-05-07T04:54:21Z");

  it("maps each Helm release snapshot with the exact fields", () => {
    const o = helmReleaseDeployments(
      hr({
        lastAttemptedRevision: "6.6.1+0cc9a8446c95",
        conditions: [
          ready(
            "True",
            "UpgradeSucceeded",
            "Helm upgrade succeeded for release podinfo/podinfo.v2",
            "2024-05-07T04:54:55Z",
          ),
        ],
        history: [V2, V1],
      }),
      "prod",
      AT,
      SRC,
    );
    expect(o.warnings).toEqual([]);
    expect(o.deployments).toEqual([
      {
        reconciler: "flux-helmrelease",
        cluster: "prod",
        namespace: "podinfo",
        name: "podinfo",
        basis: "history",
        identity: "2|2024-05-07T04:54:21Z",
        sourceRepo: CHARTS,
        sourcePath: "podinfo",
        revisions: ["6.6.1+0cc9a8446c95"],
        commit: null,
        startedAt: "2024-05-07T04:54:55Z",
        finishedAt: "2024-05-07T04:54:55Z",
        initiatedBy: null,
        automated: true,
        outcome: "succeeded",
        rollback: false,
        evidence: "status.history[0]",
        detail: {
          version: 2,
          status: "deployed",
          chartName: "podinfo",
          chartVersion: "6.6.1+0cc9a8446c95",
          appVersion: "6.6.1",
          digest: V2.digest,
          configDigest: V2.configDigest,
          ociDigest: OCI_DIGEST,
          firstDeployed: "2024-05-07T04:54:21Z",
        },
      },
      expect.objectContaining({
        identity: "1|2024-05-07T04:54:21Z",
        revisions: ["6.6.0+cdd538a0167e"],
        finishedAt: "2024-05-07T04:54:21Z",
        outcome: "succeeded",
        evidence: "status.history[1]",
        detail: expect.objectContaining({ status: "superseded", ociDigest: null }),
      }),
    ]);
    expect(o.observation).toEqual({
      reconciler: "flux-helmrelease",
      cluster: "prod",
      namespace: "podinfo",
      name: "podinfo",
      observedAt: AT,
      entries: 2,
      capacity: null,
      horizon: "2024-05-07T04:54:21Z",
      newest: "2024-05-07T04:54:55Z",
      seqMin: 1,
      seqMax: 2,
      state: "Ready True (UpgradeSucceeded); last attempted 6.6.1+0cc9a8446c95",
    });
  });

  it("marks a failed release failed, skips one still pending, and counts both in the observation", () => {
    const o = helmReleaseDeployments(
      hr({
        history: [
          release(5, "pending-upgrade", "6.7.0", "2024-05-08T10:00:00Z"),
          release(4, "failed", "6.6.2", "2024-05-08T09:00:00Z"),
          release(3, "deployed", "6.6.1", "2024-05-08T08:00:00Z"),
        ],
      }),
      "prod",
      AT,
      SRC,
    );
    expect(o.warnings).toEqual([]);
    expect(o.deployments.map((d) => [d.identity, d.outcome])).toEqual([
      ["4|2024-05-07T04:54:21Z", "failed"],
      ["3|2024-05-07T04:54:21Z", "succeeded"],
    ]);
    expect(o.observation).toMatchObject({ entries: 3, seqMin: 3, seqMax: 5, horizon: "2024-05-08T08:00:00Z" });
  });

  it("marks the newest release a rollback after remediation rolled back", () => {
    const o = helmReleaseDeployments(
      hr({
        conditions: [
          ready("True", "RollbackSucceeded", "Helm rollback to previous release succeeded", "2024-05-08T09:01:00Z"),
          {
            type: "Remediated",
            status: "True",
            reason: "RollbackSucceeded",
            message: "Helm rollback to previous release podinfo/podinfo.v3 with chart podinfo@6.6.1 succeeded",
            lastTransitionTime: "2024-05-08T09:01:00Z",
          },
        ],
        history: [
          release(5, "deployed", "6.6.1", "2024-05-08T09:01:00Z"),
          release(4, "failed", "6.6.2", "2024-05-08T09:00:00Z"),
          release(3, "superseded", "6.6.1", "2024-05-08T08:00:00Z"),
        ],
      }),
      "prod",
      AT,
      SRC,
    );
    expect(o.deployments.map((d) => [d.detail.version, d.rollback, d.automated])).toEqual([
      [5, true, true],
      [4, false, true],
      [3, false, true],
    ]);
  });

  it("tells release lineages apart after an uninstall restarts the versions", () => {
    const before = helmReleaseDeployments(hr({ history: [V1] }), "prod", AT, SRC).deployments[0];
    const reinstalled = release(1, "deployed", "6.7.0", "2024-06-01T00:00:00Z", {
      firstDeployed: "2024-06-01T00:00:00Z",
    });
    const after = helmReleaseDeployments(hr({ history: [reinstalled] }), "prod", AT, SRC).deployments[0];
    expect(before && after && deploymentKey(after)).not.toBe(before && deploymentKey(before));
  });

  it("reads status records for v2beta1 (no history); a chart version is never a commit", () => {
    const o = helmReleaseDeployments(
      {
        ...hr({
          lastAppliedRevision: "6.6.0",
          lastAttemptedRevision: "6.6.1",
          conditions: [
            ready(
              "False",
              "UpgradeFailed",
              "Helm upgrade failed: timed out waiting for the condition",
              "2024-05-08T09:00:00Z",
            ),
          ],
        }),
        apiVersion: "helm.toolkit.fluxcd.io/v2beta1",
      },
      "prod",
      AT,
      SRC,
    );
    // Keeping no history is observed (capacity 0): the report says deployments between reads may be missing.
    expect(o.observation).toMatchObject({ capacity: 0, entries: 1, horizon: null, seqMin: null });
    expect(o.deployments).toEqual([
      expect.objectContaining({
        reconciler: "flux-helmrelease",
        basis: "status",
        identity: `applied|6.6.0|${AT}`,
        commit: null,
        finishedAt: AT,
        outcome: "succeeded",
      }),
      expect.objectContaining({
        basis: "status",
        identity: "attempted|6.6.1|UpgradeFailed|2024-05-08T09:00:00Z",
        commit: null,
        finishedAt: "2024-05-08T09:00:00Z",
        outcome: "failed",
        detail: { reason: "UpgradeFailed", message: "Helm upgrade failed: timed out waiting for the condition" },
      }),
    ]);
  });

  it("takes the source from chartRef, in the HelmRelease's namespace by default", () => {
    const o = helmReleaseDeployments(
      hr({ history: [V2] }, { chartRef: { kind: "OCIRepository", name: "podinfo-chart" } }),
      "prod",
      AT,
      SRC,
    );
    expect(o.deployments[0]).toMatchObject({
      sourceRepo: "oci://ghcr.io/stefanprodan/charts/podinfo",
      sourcePath: null,
    });
  });

  it("gives no records and no warning without status", () => {
    expect(helmReleaseDeployments(hr(undefined), "prod", AT, SRC)).toEqual({
      deployments: [],
      observation: null,
      warnings: [],
    });
  });

  it.each([
    [
      "a bad timestamp",
      hr({ history: [{ ...V1, lastDeployed: "not-a-date" }] }),
      "HelmRelease podinfo/podinfo: skipped, status.history.0.lastDeployed is not a date",
    ],
    [
      "a version that is not a number",
      hr({ history: [{ ...V1, version: "1" }] }),
      "HelmRelease podinfo/podinfo: skipped, status.history.0.version is not a number",
    ],
    [
      "a missing name",
      { ...hr({ history: [V1] }), metadata: { namespace: "podinfo" } },
      "HelmRelease podinfo/?: skipped, metadata.name is required",
    ],
    ["not an object", null, "HelmRelease ?/?: skipped, the object is not an object"],
  ])("skips an object with %s, with one warning naming it", (_, raw, warning) => {
    expect(helmReleaseDeployments(raw, "prod", AT, SRC)).toEqual({
      deployments: [],
      observation: null,
      warnings: [warning],
    });
  });
});

const ksEvent = (reason: string, annotations: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  apiVersion: "v1",
  kind: "Event",
  metadata: {
    name: "apps.17cd1c4e15d474bb",
    namespace: "flux-system",
    uid: "2b3c7f0e-0d6b-4f43-9b7e-5a1f0c3d9e11",
    creationTimestamp: "2025-08-15T11:12:00Z",
    annotations,
  },
  involvedObject: {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    name: "apps",
    namespace: "flux-system",
    uid: "7d0cdc51-ddcf-4743-b223-83ca5c699632",
    resourceVersion: "50060406",
  },
  reason,
  message: "Reconciliation finished in 1.204s, next run in 10m0s",
  source: { component: "kustomize-controller" },
  firstTimestamp: "2025-08-15T11:12:00Z",
  lastTimestamp: "2025-08-15T11:22:00Z",
  count: 2,
  type: "Normal",
  eventTime: null,
  reportingComponent: "kustomize-controller",
  reportingInstance: "",
  ...extra,
});

const hrEvent = (reason: string, type: string, annotations: Record<string, string>) => ({
  apiVersion: "v1",
  kind: "Event",
  metadata: { name: "podinfo.17cd1c4e15d47000", namespace: "podinfo", uid: "hr-event-uid", annotations },
  involvedObject: {
    apiVersion: "helm.toolkit.fluxcd.io/v2",
    kind: "HelmRelease",
    name: "podinfo",
    namespace: "podinfo",
  },
  reason,
  message: "Helm upgrade succeeded for release podinfo/podinfo.v2 with chart podinfo@6.6.1",
  source: { component: "helm-controller" },
  firstTimestamp: "2024-05-07T04:54:55Z",
  lastTimestamp: "2024-05-07T04:54:55Z",
  count: 1,
  type,
  reportingComponent: "helm-controller",
  reportingInstance: "",
});

describe("coreEventRecords", () => {
  it("maps a kustomize-controller success event with a group-prefixed revision to an event and a deployment", () => {
    const r = coreEventRecords(
      ksEvent("ReconciliationSucceeded", {
        "kustomize.toolkit.fluxcd.io/revision": `main@sha1:${A}`,
        "kustomize.toolkit.fluxcd.io/commit_status": "update",
      }),
      "prod",
    );
    expect(r.warning).toBeNull();
    expect(r.event).toEqual({
      cluster: "prod",
      via: "api",
      key: "2b3c7f0e-0d6b-4f43-9b7e-5a1f0c3d9e11",
      kind: "Kustomization",
      namespace: "flux-system",
      name: "apps",
      reason: "ReconciliationSucceeded",
      severity: "Normal",
      message: "Reconciliation finished in 1.204s, next run in 10m0s",
      revision: `main@sha1:${A}`,
      controller: "kustomize-controller",
      firstAt: "2025-08-15T11:12:00Z",
      lastAt: "2025-08-15T11:22:00Z",
      count: 2,
    });
    expect(r.deployment).toEqual({
      reconciler: "flux-kustomization",
      cluster: "prod",
      namespace: "flux-system",
      name: "apps",
      basis: "event",
      identity: `ReconciliationSucceeded|main@sha1:${A}|2025-08-15T11:12:00Z`,
      sourceRepo: null,
      sourcePath: null,
      revisions: [`main@sha1:${A}`],
      commit: A,
      startedAt: null,
      finishedAt: "2025-08-15T11:12:00Z",
      initiatedBy: null,
      automated: true,
      outcome: "succeeded",
      rollback: false,
      evidence: "Event flux-system/apps.17cd1c4e15d474bb",
      detail: {
        reason: "ReconciliationSucceeded",
        message: "Reconciliation finished in 1.204s, next run in 10m0s",
        originRevision: null,
        eventKey: "2b3c7f0e-0d6b-4f43-9b7e-5a1f0c3d9e11",
      },
    });
  });

  it("prefers the origin revision for the commit", () => {
    const r = coreEventRecords(
      ksEvent("HealthCheckFailed", {
        "kustomize.toolkit.fluxcd.io/revision": `latest@${OCI_DIGEST}`,
        "kustomize.toolkit.fluxcd.io/originRevision": `main@sha1:${C}`,
      }),
      "prod",
    );
    expect(r.event?.revision).toBe(`latest@${OCI_DIGEST}`);
    expect(r.deployment).toMatchObject({ outcome: "failed", commit: C, revisions: [`latest@${OCI_DIGEST}`] });
  });

  it.each([
    ["UpgradeSucceeded", "succeeded", false],
    ["InstallFailed", "failed", false],
    ["TestFailed", "failed", false],
    ["RollbackSucceeded", "succeeded", true],
  ] as const)("maps helm-controller %s to a %s deployment (rollback %s)", (reason, outcome, rollback) => {
    const r = coreEventRecords(
      hrEvent(reason, outcome === "failed" ? "Warning" : "Normal", {
        "helm.toolkit.fluxcd.io/revision": "6.6.1+0cc9a8446c95",
        "helm.toolkit.fluxcd.io/app-version": "6.6.1",
        "helm.toolkit.fluxcd.io/oci-digest": OCI_DIGEST,
      }),
      "prod",
    );
    expect(r.event).toMatchObject({
      kind: "HelmRelease",
      controller: "helm-controller",
      revision: "6.6.1+0cc9a8446c95",
    });
    expect(r.deployment).toMatchObject({
      reconciler: "flux-helmrelease",
      basis: "event",
      identity: `${reason}|6.6.1+0cc9a8446c95|2024-05-07T04:54:55Z`,
      commit: null,
      outcome,
      rollback,
      automated: true,
      evidence: "Event podinfo/podinfo.17cd1c4e15d47000",
    });
  });

  it("gives an event but no deployment for a reason that ends nothing, or without a revision", () => {
    const progressing = coreEventRecords(
      ksEvent("Progressing", { "kustomize.toolkit.fluxcd.io/revision": `main@sha1:${A}` }),
      "prod",
    );
    expect(progressing.event?.reason).toBe("Progressing");
    expect(progressing.deployment).toBeNull();
    const noRevision = coreEventRecords(ksEvent("ReconciliationSucceeded", {}), "prod");
    expect(noRevision.event?.revision).toBeNull();
    expect(noRevision.deployment).toBeNull();
  });

  it("reads events.k8s.io-style times, source.component, an unprefixed revision, and keys by name without a uid", () => {
    const e = ksEvent(
      "ReconciliationSucceeded",
      { revision: `main/${B}` },
      {
        firstTimestamp: null,
        lastTimestamp: null,
        count: undefined,
        eventTime: "2025-08-15T11:12:00.123456Z",
        series: { count: 3, lastObservedTime: "2025-08-15T11:32:00.000001Z" },
        reportingComponent: "",
      },
    );
    (e.metadata as Record<string, unknown>).uid = undefined;
    const r = coreEventRecords(JSON.parse(JSON.stringify(e)), "prod");
    expect(r.event).toMatchObject({
      key: "flux-system/apps.17cd1c4e15d474bb",
      firstAt: "2025-08-15T11:12:00.123456Z",
      lastAt: "2025-08-15T11:32:00.000001Z",
      count: 3,
      controller: "kustomize-controller",
      revision: `main/${B}`,
    });
    expect(r.deployment).toMatchObject({ commit: B, finishedAt: "2025-08-15T11:12:00.123456Z" });
  });

  it("reads Argo CD's OperationCompleted events (a failed sync only they may keep), and ignores other kinds", () => {
    const argoEvent = (message: string, annotations: Record<string, string> = {}) => ({
      metadata: { name: "guestbook.17cd", namespace: "argocd", uid: `u-${message.length}`, annotations },
      involvedObject: {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        name: "guestbook",
        namespace: "argocd",
      },
      reason: "OperationCompleted",
      message,
      type: message.includes("failed") ? "Warning" : "Normal",
      source: { component: "argocd-application-controller" },
      reportingComponent: "",
      firstTimestamp: "2026-07-14T11:00:09Z",
      lastTimestamp: "2026-07-14T11:00:09Z",
    });
    const failed = coreEventRecords(
      argoEvent(`Sync operation to ${C} failed: one or more objects failed to apply`, { user: "alice@acme.example" }),
      "prod",
    );
    expect(failed.event).toMatchObject({
      kind: "Application",
      revision: C,
      controller: "argocd-application-controller",
    });
    expect(failed.deployment).toMatchObject({
      reconciler: "argocd",
      basis: "event",
      revisions: [C],
      commit: C,
      outcome: "failed",
      initiatedBy: "alice@acme.example",
      automated: false,
    });
    // A success is in history already (and a dry run's reads the same): the event is kept, no deployment.
    const ok = coreEventRecords(argoEvent(`Sync operation to ${C} succeeded`), "prod");
    expect(ok.deployment).toBeNull();
    expect(ok.event).toMatchObject({ reason: "OperationCompleted" });
    // The controller's own events name no user; a multi-source app's name no revision.
    expect(coreEventRecords(argoEvent("Sync operation to  failed: ComparisonError"), "prod").deployment).toMatchObject({
      revisions: [],
      commit: null,
      outcome: "failed",
      initiatedBy: null,
      automated: null,
    });
    expect(coreEventRecords(argoEvent("Sync operation failed: no such revision"), "prod").deployment).toMatchObject({
      revisions: [],
      outcome: "failed",
    });
    // A partial sync is not a whole deployment; the event is still kept.
    const partial = coreEventRecords(argoEvent(`Partial sync operation to ${C} succeeded`), "prod");
    expect(partial.deployment).toBeNull();
    expect(partial.event).not.toBeNull();
    const pod = { ...argoEvent("x"), involvedObject: { kind: "Pod", name: "web-0", namespace: "default" } };
    expect(coreEventRecords(pod, "prod")).toEqual({ event: null, deployment: null, warning: null });
  });

  it.each([
    [
      "a bad timestamp",
      ksEvent("ReconciliationSucceeded", {}, { firstTimestamp: "not-a-date" }),
      "Event flux-system/apps.17cd1c4e15d474bb: skipped, firstTimestamp is not a date",
    ],
    [
      "no time at all",
      (() => {
        const e = ksEvent("ReconciliationSucceeded", {}, { firstTimestamp: null, lastTimestamp: null });
        return { ...e, metadata: { ...e.metadata, creationTimestamp: undefined } };
      })(),
      "Event flux-system/apps.17cd1c4e15d474bb: skipped, firstTimestamp is missing, and so are eventTime and metadata.creationTimestamp",
    ],
    [
      "a missing involved object name",
      ksEvent("ReconciliationSucceeded", {}, { involvedObject: { kind: "Kustomization", namespace: "flux-system" } }),
      "Event flux-system/apps.17cd1c4e15d474bb: skipped, involvedObject.name is required",
    ],
    ["not an object", 42, "Event ?/?: skipped, the object is not an object"],
  ])("warns about a Flux event with %s, and gives no records", (_, raw, warning) => {
    expect(coreEventRecords(raw, "prod")).toEqual({ event: null, deployment: null, warning });
  });
});

const webhookBody = (metadata: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  involvedObject: {
    kind: "Kustomization",
    namespace: "flux-system",
    name: "apps",
    uid: "7d0cdc51-ddcf-4743-b223-83ca5c699632",
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    resourceVersion: "50060406",
  },
  severity: "info",
  timestamp: "2025-09-06T16:47:10Z",
  message: "Reconciliation finished in 154.143224ms, next run in 10m0s",
  reason: "ReconciliationSucceeded",
  metadata,
  reportingController: "kustomize-controller",
  reportingInstance: "kustomize-controller-7bcf986f97-mn7gg",
  ...extra,
});

describe("webhookEventRecords", () => {
  it("maps a body with unprefixed metadata to an event and a webhook deployment", () => {
    const r = webhookEventRecords(webhookBody({ commit_status: "update", revision: `main@sha1:${C}` }), "prod");
    expect(r.warning).toBeNull();
    expect(r.event).toEqual({
      cluster: "prod",
      via: "webhook",
      key: expect.stringMatching(/^[0-9a-f]{64}$/),
      kind: "Kustomization",
      namespace: "flux-system",
      name: "apps",
      reason: "ReconciliationSucceeded",
      severity: "info",
      message: "Reconciliation finished in 154.143224ms, next run in 10m0s",
      revision: `main@sha1:${C}`,
      controller: "kustomize-controller",
      firstAt: "2025-09-06T16:47:10Z",
      lastAt: "2025-09-06T16:47:10Z",
      count: 1,
    });
    const key = r.event?.key ?? "";
    expect(r.deployment).toEqual({
      reconciler: "flux-kustomization",
      cluster: "prod",
      namespace: "flux-system",
      name: "apps",
      basis: "webhook",
      identity: `ReconciliationSucceeded|main@sha1:${C}|2025-09-06T16:47:10Z`,
      sourceRepo: null,
      sourcePath: null,
      revisions: [`main@sha1:${C}`],
      commit: C,
      startedAt: null,
      finishedAt: "2025-09-06T16:47:10Z",
      initiatedBy: null,
      automated: true,
      outcome: "succeeded",
      rollback: false,
      evidence: `webhook event ${key}`,
      detail: {
        reason: "ReconciliationSucceeded",
        message: "Reconciliation finished in 154.143224ms, next run in 10m0s",
        originRevision: null,
        eventKey: key,
      },
    });
  });

  it("reads group-prefixed metadata and the legacy revision format the same way", () => {
    const plain = webhookEventRecords(webhookBody({ revision: `main/${A}` }), "prod");
    const prefixed = webhookEventRecords(webhookBody({ "kustomize.toolkit.fluxcd.io/revision": `main/${A}` }), "prod");
    expect(prefixed.event?.revision).toBe(`main/${A}`);
    expect(prefixed.deployment?.commit).toBe(A);
    expect(prefixed.event?.key).toBe(plain.event?.key);
    expect(prefixed.deployment && deploymentKey(prefixed.deployment)).toBe(
      plain.deployment && deploymentKey(plain.deployment),
    );
  });

  it("gives a redelivery the same key, and a different event another", () => {
    const body = webhookBody({ revision: `main@sha1:${C}` });
    const first = webhookEventRecords(body, "prod");
    const again = webhookEventRecords(JSON.parse(JSON.stringify(body)), "prod");
    expect(again.event?.key).toBe(first.event?.key);
    const later = webhookEventRecords({ ...clone(body), timestamp: "2025-09-06T16:57:10Z" }, "prod");
    expect(later.event?.key).not.toBe(first.event?.key);
    const elsewhere = webhookEventRecords(clone(body), "staging");
    expect(elsewhere.event?.key).not.toBe(first.event?.key);
  });

  it("maps a HelmRelease rollback and prefers originRevision for the commit", () => {
    const r = webhookEventRecords(
      webhookBody(
        { revision: "6.6.1", originRevision: `main@sha1:${B}` },
        {
          involvedObject: { kind: "HelmRelease", namespace: "podinfo", name: "podinfo" },
          reason: "RollbackSucceeded",
          reportingController: "helm-controller",
        },
      ),
      "prod",
    );
    expect(r.deployment).toMatchObject({
      reconciler: "flux-helmrelease",
      basis: "webhook",
      revisions: ["6.6.1"],
      commit: B,
      outcome: "succeeded",
      rollback: true,
    });
  });

  it("gives an event but no deployment for other kinds", () => {
    const r = webhookEventRecords(
      webhookBody(
        { revision: `main@sha1:${C}` },
        {
          involvedObject: { kind: "GitRepository", namespace: "flux-system", name: "flux-system" },
          reason: "NewArtifact",
          message: `stored artifact for commit 'Merge pull request #7'`,
          reportingController: "source-controller",
        },
      ),
      "prod",
    );
    expect(r.event).toMatchObject({ kind: "GitRepository", reason: "NewArtifact", revision: `main@sha1:${C}` });
    expect(r.deployment).toBeNull();
    expect(r.warning).toBeNull();
  });

  it.each([
    ["not an object", "hello", "webhook event about ? ?/?: skipped, the object is not an object"],
    [
      "no involvedObject",
      { ...webhookBody({}), involvedObject: undefined },
      "webhook event about ? ?/?: skipped, involvedObject is required",
    ],
    [
      "no reason",
      { ...webhookBody({}), reason: undefined },
      "webhook event about Kustomization flux-system/apps: skipped, reason is required",
    ],
    [
      "no timestamp",
      { ...webhookBody({}), timestamp: undefined },
      "webhook event about Kustomization flux-system/apps: skipped, timestamp is required",
    ],
    [
      "a bad timestamp",
      { ...webhookBody({}), timestamp: "not-a-date" },
      "webhook event about Kustomization flux-system/apps: skipped, timestamp is not a date",
    ],
  ])("warns about a body with %s and gives no records", (_, body, warning) => {
    expect(webhookEventRecords(JSON.parse(JSON.stringify(body)), "prod")).toEqual({
      event: null,
      deployment: null,
      warning,
    });
  });
});
