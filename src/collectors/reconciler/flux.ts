import { createHash } from "node:crypto";
import { z } from "zod";
import {
  type DeploymentOutcome,
  type DeploymentRecord,
  type HistoryObservation,
  type Mapped,
  minMax,
  type ReconcilerEventRecord,
  type ReconcilerKind,
  spanOf,
} from "./deployment.js";
import { skipped } from "./malformed.js";
import { firstCommit } from "./revision.js";

/**
 * Flux v2 objects mapped to deployments: Kustomizations (kustomize.toolkit.fluxcd.io/v1),
 * HelmReleases (helm.toolkit.fluxcd.io/v2, v2beta1), the controllers' core/v1 Events and the
 * Events notification-controller posts to a `generic` / `generic-hmac` webhook. Shapes and
 * semantics are in docs/reference/reconcilers.md §2-§6:
 *  - a Kustomization's `status.history` (Flux ≥ 2.7, newest first, at most 5) holds one entry per
 *    (digest, Ready reason); Flux moves an entry's `metadata.revision` and `lastReconciled` in
 *    place, so the identity of a history record is (digest, status, firstReconciled);
 *  - build failures (ArtifactFailed, BuildFailed...) never enter history: the only trace is
 *    `lastAttemptedRevision` with a False Ready condition;
 *  - a HelmRelease's `status.history` holds Helm release snapshots, truncated to the previous
 *    successful release. Helm copies `firstDeployed` from the release being upgraded or rolled
 *    back, so it is the time the release was first installed, not when this version was;
 *    `lastDeployed` is when this version was deployed (Helm stamps it as the action starts and
 *    does not move it when the version is superseded);
 *  - Events name the revision in metadata keys `<api group>/revision` (core Events) or `revision`
 *    (webhooks); `originRevision` is preferred for the commit, as Flux's Event.GetRevision does.
 * Parsing is tolerant of unknown fields and strict where the evidence depends on it: names are
 * required and every timestamp must be an RFC 3339 date.
 */

// ---------------------------------------------------------------------------------------------
// Schemas

type Issue = { input?: unknown };
const orMissing = (otherwise: string) => (iss: Issue) => (iss.input === undefined ? "is required" : otherwise);

/** metav1.Time / MicroTime: RFC 3339, UTC or with an offset. */
const time = z.iso.datetime({ offset: true, error: orMissing("is not a date") });
const name = z.string({ error: orMissing("is not a string") }).min(1, "is empty");
/** A JSON object (looseObject: unknown fields are kept and ignored). */
function object<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.looseObject(shape, { error: orMissing("is not an object") });
}
/** Annotations and event metadata: map[string]string; only string values are read. */
const stringMap = z.record(z.string(), z.unknown());

const objectMeta = object({
  name,
  namespace: z.string().optional(),
  uid: z.string().optional(),
});

const ref = object({ kind: name, name, namespace: z.string().optional() });

const condition = object({
  type: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: time.nullable().optional(),
});
type Condition = z.infer<typeof condition>;

/** Fields Kustomization and HelmRelease status share (Flux < 2.7 / HelmRelease v2beta1 evidence). */
const reconcileStatus = {
  conditions: z.array(condition).nullable().optional(),
  lastAppliedRevision: z.string().optional(),
  lastAttemptedRevision: z.string().optional(),
  lastHandledReconcileAt: z.string().optional(),
};

/** fluxcd/pkg `meta.Snapshot` (Kustomization status.history). */
const kustomizationSnapshot = object({
  digest: name,
  firstReconciled: time,
  lastReconciled: time,
  lastReconciledDuration: z.string().optional(),
  lastReconciledStatus: name,
  totalReconciliations: z.number().int().optional(),
  metadata: stringMap.nullable().optional(),
});

export const kustomizationSchema = object({
  metadata: objectMeta,
  spec: object({ sourceRef: ref.optional(), path: z.string().optional() }).nullable().optional(),
  status: object({
    ...reconcileStatus,
    lastAppliedOriginRevision: z.string().optional(),
    history: z.array(kustomizationSnapshot).nullable().optional(),
  })
    .nullable()
    .optional(),
});
export type Kustomization = z.infer<typeof kustomizationSchema>;

/** helm-controller `v2.Snapshot` (HelmRelease status.history). */
const helmSnapshot = object({
  version: z.number({ error: orMissing("is not a number") }).int(),
  status: name,
  chartName: name,
  chartVersion: name,
  appVersion: z.string().optional(),
  digest: name,
  configDigest: z.string().optional(),
  ociDigest: z.string().optional(),
  firstDeployed: time,
  lastDeployed: time,
  deleted: time.nullable().optional(),
});
type HelmSnapshot = z.infer<typeof helmSnapshot>;

export const helmReleaseSchema = object({
  metadata: objectMeta,
  spec: object({
    chart: object({
      spec: object({ chart: z.string().optional(), sourceRef: ref.optional() }).optional(),
    })
      .nullable()
      .optional(),
    chartRef: ref.nullable().optional(),
  })
    .nullable()
    .optional(),
  status: object({ ...reconcileStatus, history: z.array(helmSnapshot).nullable().optional() })
    .nullable()
    .optional(),
});
export type HelmRelease = z.infer<typeof helmReleaseSchema>;

const fluxSourceSchema = object({
  kind: name,
  metadata: objectMeta,
  spec: object({
    url: z.string().optional(),
    endpoint: z.string().optional(),
    bucketName: z.string().optional(),
  })
    .nullable()
    .optional(),
  status: object({ artifact: object({ revision: z.string().optional() }).nullable().optional() })
    .nullable()
    .optional(),
});

// ---------------------------------------------------------------------------------------------
// Sources

/** A Flux source as the deployments name it: where it fetches from and what it last fetched. */
export interface FluxSource {
  url: string | null;
  artifactRevision: string | null;
}

/** Flux sources by `Kind/namespace/name`. */
export interface SourceIndex {
  lookup(kind: string, namespace: string, name: string): FluxSource | null;
  readonly size: number;
}

const sourceKey = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

/**
 * An index of GitRepository, OCIRepository, Bucket and HelmRepository objects (any other kind with
 * a name is indexed too, without a URL unless it has `spec.url`). A Bucket has no URL: it is named
 * `<endpoint>/<bucketName>`, an identifier rather than an address.
 */
export function sourceIndex(rawSources: unknown[]): { index: SourceIndex; warnings: string[] } {
  const map = new Map<string, FluxSource>();
  const warnings: string[] = [];
  for (const raw of rawSources) {
    const parsed = fluxSourceSchema.safeParse(raw);
    if (!parsed.success) {
      warnings.push(...skipped(sourceKind(raw), raw, parsed.error).warnings);
      continue;
    }
    const s = parsed.data;
    const spec = s.spec ?? {};
    const bucket = spec.endpoint && spec.bucketName ? `${spec.endpoint.replace(/\/+$/, "")}/${spec.bucketName}` : null;
    map.set(sourceKey(s.kind, s.metadata.namespace ?? "", s.metadata.name), {
      url: spec.url || (s.kind === "Bucket" ? bucket : null),
      artifactRevision: s.status?.artifact?.revision || null,
    });
  }
  return {
    index: {
      lookup: (kind, namespace, name) => map.get(sourceKey(kind, namespace, name)) ?? null,
      size: map.size,
    },
    warnings,
  };
}

function sourceKind(raw: unknown): string {
  const kind = (raw as { kind?: unknown } | null)?.kind;
  return typeof kind === "string" && kind !== "" ? kind : "Flux source";
}

function sourceUrl(
  sources: SourceIndex,
  r: { kind: string; name: string; namespace?: string | undefined } | null | undefined,
  defaultNamespace: string,
): string | null {
  return r ? (sources.lookup(r.kind, r.namespace || defaultNamespace, r.name)?.url ?? null) : null;
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

type Base = Pick<DeploymentRecord, "reconciler" | "cluster" | "namespace" | "name">;
type Source = Pick<DeploymentRecord, "sourceRepo" | "sourcePath">;

const AUTOMATED = { initiatedBy: null, automated: true } as const;

/** A non-empty string value of a string map, or null. */
function value(map: Record<string, unknown> | null | undefined, key: string): string | null {
  const v = map?.[key];
  return typeof v === "string" && v !== "" ? v : null;
}

function present(values: readonly (string | null | undefined)[]): string[] {
  return values.filter((v): v is string => typeof v === "string" && v !== "");
}

function readyOf(conditions: Condition[] | null | undefined): Condition | undefined {
  return conditions?.find((c) => c.type === "Ready");
}

/**
 * A reconciled object that keeps no history (Flux before 2.7, HelmRelease v2beta1): observed
 * with capacity 0, so the report says once that deployments between reads may be missing.
 */
function withoutHistory(base: Base, observedAt: string, status: StatusFacts, state: string): HistoryObservation | null {
  if (!status.lastAppliedRevision && !status.lastAttemptedRevision) return null;
  return {
    ...base,
    observedAt,
    entries: status.lastAppliedRevision ? 1 : 0,
    capacity: 0,
    horizon: null,
    newest: null,
    seqMin: null,
    seqMax: null,
    state,
  };
}

/** `Ready True (ReconciliationSucceeded); applied main@sha1:…; source at main@sha1:…`. */
function stateOf(ready: Condition | undefined, parts: readonly [string, string | null | undefined][]): string {
  const said = ready ? [`Ready ${ready.status}${ready.reason ? ` (${ready.reason})` : ""}`] : ["no Ready condition"];
  for (const [label, v] of parts) if (v) said.push(`${label} ${v}`);
  return said.join("; ");
}

interface StatusFacts {
  conditions?: Condition[] | null | undefined;
  lastAppliedRevision?: string | undefined;
  lastAttemptedRevision?: string | undefined;
  lastHandledReconcileAt?: string | undefined;
  lastAppliedOriginRevision?: string | undefined;
}

/**
 * Records read from `lastAppliedRevision` / `lastAttemptedRevision` and the Ready condition.
 * `applied`: only for objects without history (Flux < 2.7, HelmRelease v2beta1); the time is the
 * Ready transition when Ready says it applied that revision, else when it was observed.
 * `attempted`: a revision tried and not applied while Ready is False (build failures never reach
 * history, so this is their only trace).
 */
function statusRecords(
  base: Base,
  source: Source,
  status: StatusFacts,
  observedAt: string,
  options: { applied: boolean; commitOf: (revisions: string[]) => string | null },
): DeploymentRecord[] {
  const out: DeploymentRecord[] = [];
  const ready = readyOf(status.conditions);
  const applied = status.lastAppliedRevision || null;
  const attempted = status.lastAttemptedRevision || null;
  if (options.applied && applied) {
    const confirmed = ready?.status === "True" && ready.lastTransitionTime && ready.message?.includes(applied);
    const origin = status.lastAppliedOriginRevision || null;
    const appliedAt = confirmed && ready.lastTransitionTime ? ready.lastTransitionTime : observedAt;
    out.push({
      ...base,
      basis: "status",
      // One record per time the revision became the applied one (the store keeps state changes).
      identity: `applied|${applied}|${appliedAt}`,
      ...source,
      revisions: [applied],
      commit: options.commitOf(present([origin, applied])),
      startedAt: null,
      finishedAt: appliedAt,
      ...AUTOMATED,
      outcome: "succeeded",
      rollback: false,
      evidence: "status.lastAppliedRevision",
      detail: {
        observedAt,
        originRevision: origin,
        lastHandledReconcileAt: status.lastHandledReconcileAt || null,
      },
    });
  }
  if (attempted && attempted !== applied && ready?.status === "False") {
    const reason = ready.reason ?? "";
    const failedAt = ready.lastTransitionTime ?? observedAt;
    out.push({
      ...base,
      basis: "status",
      identity: `attempted|${attempted}|${reason}|${failedAt}`,
      ...source,
      revisions: [attempted],
      commit: options.commitOf([attempted]),
      startedAt: null,
      finishedAt: failedAt,
      ...AUTOMATED,
      outcome: "failed",
      rollback: false,
      evidence: "status.lastAttemptedRevision",
      detail: { reason, message: ready.message ?? null },
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Kustomization

/** Flux keeps at most this many Kustomization history entries (meta.HistoryMaxSize). */
const KUSTOMIZATION_HISTORY_CAPACITY = 5;

/** A Kustomization's applies, and how far back its history reaches (read at `observedAt`). */
export function kustomizationDeployments(
  raw: unknown,
  cluster: string,
  observedAt: string,
  sources: SourceIndex,
): Mapped {
  const parsed = kustomizationSchema.safeParse(raw);
  if (!parsed.success) return skipped("Kustomization", raw, parsed.error);
  const k = parsed.data;
  const namespace = k.metadata.namespace ?? "";
  const base: Base = { reconciler: "flux-kustomization", cluster, namespace, name: k.metadata.name };
  const source: Source = {
    sourceRepo: sourceUrl(sources, k.spec?.sourceRef, namespace),
    sourcePath: k.spec?.path ?? null,
  };
  const status = k.status ?? {};
  const history = status.history ?? null;

  const deployments: DeploymentRecord[] = (history ?? []).map((h, i) => {
    const revision = value(h.metadata, "revision");
    const origin = value(h.metadata, "originRevision");
    return {
      ...base,
      basis: "history",
      // Flux upserts on (digest, status) and moves revision and lastReconciled in place.
      identity: `${h.digest}|${h.lastReconciledStatus}|${h.firstReconciled}`,
      ...source,
      revisions: present([revision]),
      commit: firstCommit(present([origin, revision])),
      startedAt: h.firstReconciled,
      finishedAt: h.lastReconciled,
      ...AUTOMATED,
      outcome: h.lastReconciledStatus === "ReconciliationSucceeded" ? "succeeded" : "failed",
      rollback: false,
      evidence: `status.history[${i}]`,
      detail: {
        digest: h.digest,
        status: h.lastReconciledStatus,
        totalReconciliations: h.totalReconciliations ?? null,
        lastReconciledDuration: h.lastReconciledDuration ?? null,
        originRevision: origin,
      },
    };
  });
  deployments.push(
    ...statusRecords(base, source, status, observedAt, { applied: history === null, commitOf: firstCommit }),
  );

  const state = stateOf(readyOf(status.conditions), [
    ["applied", status.lastAppliedRevision],
    [
      "source at",
      k.spec?.sourceRef
        ? sources.lookup(k.spec.sourceRef.kind, k.spec.sourceRef.namespace || namespace, k.spec.sourceRef.name)
            ?.artifactRevision
        : null,
    ],
  ]);
  const observation: HistoryObservation | null = history
    ? {
        ...base,
        observedAt,
        entries: history.length,
        capacity: KUSTOMIZATION_HISTORY_CAPACITY,
        // Entries are evicted oldest-first, so none evicted is newer than the oldest kept.
        ...spanOf(history.map((h) => h.lastReconciled)),
        seqMin: null,
        seqMax: null,
        state,
      }
    : withoutHistory(base, observedAt, status, state);
  return { deployments, observation, warnings: [] };
}

// ---------------------------------------------------------------------------------------------
// HelmRelease

const HELM_FAILED = "failed";
/** Helm statuses of a release that is, or was, the one running: anything else did not deploy. */
const HELM_DEPLOYED = new Set(["deployed", "superseded"]);
/** Helm statuses of a release still in progress (pending-install, pending-upgrade, pending-rollback). */
const isPending = (s: HelmSnapshot) => s.status.startsWith("pending-");

/**
 * A HelmRelease's Helm releases, and how far back its history reaches (read at `observedAt`).
 * Snapshots still `pending-*` are not finished deployments and give no record (no warning: it is
 * an ordinary transient state; the next run sees the same version deployed or failed, with the
 * same identity). They still count in the observation.
 */
export function helmReleaseDeployments(
  raw: unknown,
  cluster: string,
  observedAt: string,
  sources: SourceIndex,
): Mapped {
  const parsed = helmReleaseSchema.safeParse(raw);
  if (!parsed.success) return skipped("HelmRelease", raw, parsed.error);
  const hr = parsed.data;
  const namespace = hr.metadata.namespace ?? "";
  const base: Base = { reconciler: "flux-helmrelease", cluster, namespace, name: hr.metadata.name };
  const chart = hr.spec?.chart?.spec;
  const source: Source = {
    sourceRepo: sourceUrl(sources, chart?.sourceRef ?? hr.spec?.chartRef, namespace),
    sourcePath: chart?.chart || null,
  };
  const status = hr.status ?? {};
  const history = status.history ?? null;

  const remediated = status.conditions?.find((c) => c.type === "Remediated");
  const rolledBack = remediated?.status === "True" && remediated.reason === "RollbackSucceeded";
  const newest = minMax((history ?? []).map((s) => s.version)).max;

  const deployments: DeploymentRecord[] = [];
  (history ?? []).forEach((s, i) => {
    if (isPending(s)) return;
    deployments.push({
      ...base,
      basis: "history",
      // Helm numbers versions from 1 again after an uninstall; firstDeployed tells the lineages apart.
      identity: `${s.version}|${s.firstDeployed}`,
      ...source,
      revisions: [s.chartVersion],
      commit: null, // a chart version is not a commit
      // lastDeployed is stamped when Helm starts this version's action; firstDeployed is the
      // release's first install, carried over by every upgrade and rollback.
      startedAt: s.lastDeployed,
      finishedAt: s.lastDeployed,
      ...AUTOMATED,
      // uninstalled (e.g. by remediation after a failed install), unknown: not a deployment that took.
      outcome: HELM_DEPLOYED.has(s.status) ? "succeeded" : "failed",
      // helm-controller's remediation rolled back: that rollback is the newest release.
      rollback: rolledBack && s.version === newest && s.status !== HELM_FAILED,
      evidence: `status.history[${i}]`,
      detail: {
        version: s.version,
        status: s.status,
        chartName: s.chartName,
        chartVersion: s.chartVersion,
        appVersion: s.appVersion || null,
        digest: s.digest,
        configDigest: s.configDigest || null,
        ociDigest: s.ociDigest || null,
        firstDeployed: s.firstDeployed,
      },
    });
  });
  if (history === null) {
    deployments.push(...statusRecords(base, source, status, observedAt, { applied: true, commitOf: () => null }));
  }

  const versions = (history ?? []).map((s) => s.version);
  const observation: HistoryObservation | null = history
    ? {
        ...base,
        observedAt,
        entries: history.length,
        capacity: null, // truncated to the previous successful release, not to a fixed size
        ...spanOf(history.map((s) => s.lastDeployed)),
        seqMin: minMax(versions).min,
        seqMax: minMax(versions).max,
        state: stateOf(readyOf(status.conditions), [["last attempted", status.lastAttemptedRevision]]),
      }
    : withoutHistory(
        base,
        observedAt,
        status,
        stateOf(readyOf(status.conditions), [
          ["applied", status.lastAppliedRevision],
          ["last attempted", status.lastAttemptedRevision],
        ]),
      );
  return { deployments, observation, warnings: [] };
}

// ---------------------------------------------------------------------------------------------
// Events (core/v1 Events and notification-controller webhooks)

/** What mapping one event gives: the event, the deployment it reports (if any), or why it was skipped. */
export interface EventRecords {
  event: ReconcilerEventRecord | null;
  deployment: DeploymentRecord | null;
  warning: string | null;
}

const NONE: EventRecords = { event: null, deployment: null, warning: null };

const RECONCILER_OF: Record<string, ReconcilerKind> = {
  Kustomization: "flux-kustomization",
  HelmRelease: "flux-helmrelease",
  // Argo CD's own Events: a failed sync that a later sync replaced in operationState is only here.
  Application: "argocd",
};

/** API group of each kind, for events whose involvedObject carries no apiVersion. */
const GROUP_OF: Record<string, string> = {
  Kustomization: "kustomize.toolkit.fluxcd.io",
  HelmRelease: "helm.toolkit.fluxcd.io",
  GitRepository: "source.toolkit.fluxcd.io",
  OCIRepository: "source.toolkit.fluxcd.io",
  Bucket: "source.toolkit.fluxcd.io",
  HelmRepository: "source.toolkit.fluxcd.io",
  HelmChart: "source.toolkit.fluxcd.io",
};

/**
 * Event reasons that end a reconciliation, per kind. Other reasons (Progressing,
 * DependencyNotReady, ArtifactFailed...) are events but not deployments.
 */
const TERMINAL: Record<string, Record<string, { outcome: DeploymentOutcome; rollback: boolean }>> = {
  Kustomization: {
    ReconciliationSucceeded: { outcome: "succeeded", rollback: false },
    ReconciliationFailed: { outcome: "failed", rollback: false },
    HealthCheckFailed: { outcome: "failed", rollback: false },
    PruneFailed: { outcome: "failed", rollback: false },
    BuildFailed: { outcome: "failed", rollback: false },
  },
  HelmRelease: {
    InstallSucceeded: { outcome: "succeeded", rollback: false },
    UpgradeSucceeded: { outcome: "succeeded", rollback: false },
    TestSucceeded: { outcome: "succeeded", rollback: false },
    InstallFailed: { outcome: "failed", rollback: false },
    UpgradeFailed: { outcome: "failed", rollback: false },
    TestFailed: { outcome: "failed", rollback: false },
    RollbackFailed: { outcome: "failed", rollback: false },
    UninstallFailed: { outcome: "failed", rollback: false },
    RollbackSucceeded: { outcome: "succeeded", rollback: true },
  },
};

/**
 * Argo CD says what an operation did only in its Event's message (docs/reference/reconcilers.md
 * §1.8): `Sync operation to <rev> failed: <why>`; the revision is empty for multi-source apps
 * (`to  failed`) and absent when the sync failed before it had a result (`Sync operation failed`).
 * Only failures become deployments: a success is in status.history already, and a dry run's
 * success reads exactly like a real one. Partial syncs and other reasons are not outcomes.
 */
const ARGO_FAILED = /^Sync operation (?:to (.*?) )?failed(?:: [\s\S]*)?$/;

function argoOperation(reason: string, message: string): { revisions: string[]; outcome: DeploymentOutcome } | null {
  if (reason !== "OperationCompleted") return null;
  const m = ARGO_FAILED.exec(message);
  if (!m) return null;
  return { revisions: m[1] ? [m[1]] : [], outcome: "failed" };
}

function groupOf(kind: string, apiVersion: string | undefined): string {
  const slash = apiVersion?.lastIndexOf("/") ?? -1;
  return apiVersion && slash > 0 ? apiVersion.slice(0, slash) : (GROUP_OF[kind] ?? "");
}

/**
 * A metadata key as a Flux controller wrote it: `<group>/<key>` (core Event annotations; old
 * webhook examples) or `<key>` (what notification-controller forwards).
 */
function metadataValue(
  metadata: Record<string, unknown> | null | undefined,
  group: string,
  key: string,
): string | null {
  return (group ? value(metadata, `${group}/${key}`) : null) ?? value(metadata, key);
}

/** An event as both sources give it, before it becomes records. */
interface EventFacts {
  via: "api" | "webhook";
  cluster: string;
  key: ((revision: string | null) => string) | string;
  involved: { kind: string; namespace: string; name: string; apiVersion?: string | undefined };
  reason: string;
  severity: string;
  message: string;
  metadata: Record<string, unknown> | null | undefined;
  controller: string;
  firstAt: string;
  lastAt: string;
  count: number;
  evidence: (key: string) => string;
}

function eventRecords(f: EventFacts): EventRecords {
  const { kind, namespace, name } = f.involved;
  const group = groupOf(kind, f.involved.apiVersion);
  const argo = kind === "Application" ? argoOperation(f.reason, f.message) : null;
  const revision = argo ? (argo.revisions[0] ?? null) : metadataValue(f.metadata, group, "revision");
  const origin = argo ? null : metadataValue(f.metadata, group, "originRevision");
  const shown = revision ?? origin;
  const key = typeof f.key === "string" ? f.key : f.key(shown);
  const event: ReconcilerEventRecord = {
    cluster: f.cluster,
    via: f.via,
    key,
    kind,
    namespace,
    name,
    reason: f.reason,
    severity: f.severity,
    message: f.message,
    revision: shown,
    controller: f.controller,
    firstAt: f.firstAt,
    lastAt: f.lastAt,
    count: f.count,
  };
  const reconciler = RECONCILER_OF[kind];
  const terminal = argo ? { outcome: argo.outcome, rollback: false } : TERMINAL[kind]?.[f.reason];
  // A failed Argo CD sync is a record even when the event names no revision (it failed before one).
  if (!reconciler || !terminal || (shown === null && !argo)) return { event, deployment: null, warning: null };
  // Argo CD's API server names the user in the `user` annotation; the controller's events never do.
  const user = argo ? value(f.metadata, "user") : null;
  const deployment: DeploymentRecord = {
    reconciler,
    cluster: f.cluster,
    namespace,
    name,
    basis: f.via === "api" ? "event" : "webhook",
    identity: `${f.reason}|${shown ?? ""}|${f.firstAt}`,
    sourceRepo: null,
    sourcePath: null,
    revisions: argo ? argo.revisions : present([shown]),
    // Prefer the origin revision (an OCI artifact's source commit), as Event.GetRevision does.
    commit: firstCommit(argo ? argo.revisions : present([origin, revision])),
    startedAt: null,
    finishedAt: f.firstAt,
    ...(argo ? (user ? { initiatedBy: user, automated: false } : { initiatedBy: null, automated: null }) : AUTOMATED),
    outcome: terminal.outcome,
    rollback: terminal.rollback,
    evidence: f.evidence(key),
    detail: { reason: f.reason, message: f.message, originRevision: origin, eventKey: key },
  };
  return { event, deployment, warning: null };
}

const coreEventSchema = object({
  metadata: object({
    name,
    namespace: z.string().optional(),
    uid: z.string().optional(),
    creationTimestamp: time.nullable().optional(),
    annotations: stringMap.nullable().optional(),
  }),
  involvedObject: object({
    kind: name,
    name,
    namespace: z.string().optional(),
    apiVersion: z.string().optional(),
  }),
  reason: name,
  message: z.string().optional(),
  type: z.string().optional(),
  source: object({ component: z.string().optional() }).nullable().optional(),
  reportingComponent: z.string().optional(),
  firstTimestamp: time.nullable().optional(),
  lastTimestamp: time.nullable().optional(),
  eventTime: time.nullable().optional(),
  series: object({ count: z.number().int().optional(), lastObservedTime: time.nullable().optional() })
    .nullable()
    .optional(),
  count: z.number().int().nullable().optional(),
}).superRefine((e, ctx) => {
  if (!e.firstTimestamp && !e.eventTime && !e.metadata.creationTimestamp) {
    ctx.addIssue({
      code: "custom",
      path: ["firstTimestamp"],
      message: "is missing, and so are eventTime and metadata.creationTimestamp",
    });
  }
});

/** involvedObject.kind when the value has one: events about other kinds are not ours. */
function involvedKind(raw: unknown): string | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const kind = (raw as { involvedObject?: { kind?: unknown } | null }).involvedObject?.kind;
  return typeof kind === "string" ? kind : undefined;
}

/**
 * A core/v1 Event from kustomize-controller or helm-controller. Events about other kinds (Argo CD
 * Applications, Pods...) give nothing and no warning; a malformed Event about a Flux object gives a
 * warning naming it.
 */
export function coreEventRecords(raw: unknown, cluster: string): EventRecords {
  const kind = involvedKind(raw);
  if (kind !== undefined && !RECONCILER_OF[kind]) return NONE;
  const parsed = coreEventSchema.safeParse(raw);
  if (!parsed.success) return { ...NONE, warning: skipped("Event", raw, parsed.error).warnings[0] ?? null };
  const e = parsed.data;
  const firstAt = e.firstTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? "";
  const eventNamespace = e.metadata.namespace ?? e.involvedObject.namespace ?? "";
  return eventRecords({
    via: "api",
    cluster,
    key: e.metadata.uid || `${eventNamespace}/${e.metadata.name}`,
    involved: {
      kind: e.involvedObject.kind,
      namespace: e.involvedObject.namespace ?? "",
      name: e.involvedObject.name,
      apiVersion: e.involvedObject.apiVersion,
    },
    reason: e.reason,
    severity: e.type ?? "",
    message: e.message ?? "",
    metadata: e.metadata.annotations,
    controller: e.reportingComponent || e.source?.component || "",
    firstAt,
    lastAt: e.lastTimestamp ?? e.series?.lastObservedTime ?? firstAt,
    count: e.count ?? e.series?.count ?? 1,
    evidence: () => `Event ${eventNamespace}/${e.metadata.name}`,
  });
}

/** fluxcd/pkg apis/event/v1beta1 Event, as notification-controller posts it. */
const webhookEventSchema = object({
  involvedObject: object({
    kind: name,
    name,
    namespace: z.string().optional(),
    uid: z.string().optional(),
    apiVersion: z.string().optional(),
  }),
  severity: z.string().optional(),
  timestamp: time,
  message: z.string().optional(),
  reason: name,
  metadata: stringMap.nullable().optional(),
  reportingController: z.string().optional(),
  reportingInstance: z.string().optional(),
});

/** How a webhook body is named in a warning: by the object it is about, as far as it says. */
function webhookLabel(body: unknown): { label: string; labelled: unknown } {
  const o = (typeof body === "object" && body !== null ? body : {}) as {
    involvedObject?: { kind?: unknown; namespace?: unknown; name?: unknown } | null;
  };
  const io = typeof o.involvedObject === "object" && o.involvedObject !== null ? o.involvedObject : {};
  const kind = typeof io.kind === "string" && io.kind !== "" ? io.kind : "?";
  return { label: `webhook event about ${kind}`, labelled: { metadata: { namespace: io.namespace, name: io.name } } };
}

/**
 * A stable key for a webhook delivery: redelivering the same event gives the same key, so the
 * store can recognise it. JSON of a fixed-order array is canonical for these string/null values.
 */
function webhookKey(parts: (string | null)[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

/**
 * A notification-controller `generic` webhook body. Every kind gives an event record; only
 * Kustomization and HelmRelease terminal reasons with a revision give a deployment.
 */
export function webhookEventRecords(body: unknown, cluster: string): EventRecords {
  const parsed = webhookEventSchema.safeParse(body);
  if (!parsed.success) {
    const { label, labelled } = webhookLabel(body);
    return { ...NONE, warning: skipped(label, labelled, parsed.error).warnings[0] ?? `${label}: skipped` };
  }
  const e = parsed.data;
  const io = e.involvedObject;
  const message = e.message ?? "";
  const namespace = io.namespace ?? "";
  return eventRecords({
    via: "webhook",
    cluster,
    key: (revision) =>
      webhookKey([cluster, io.kind, namespace, io.name, io.uid ?? null, e.reason, e.timestamp, message, revision]),
    involved: { kind: io.kind, namespace, name: io.name, apiVersion: io.apiVersion },
    reason: e.reason,
    severity: e.severity ?? "",
    message,
    metadata: e.metadata,
    controller: e.reportingController ?? "",
    firstAt: e.timestamp,
    lastAt: e.timestamp,
    count: 1,
    evidence: (key) => `webhook event ${key}`,
  });
}
