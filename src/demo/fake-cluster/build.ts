/**
 * Builders for objects shaped as the Kubernetes API serializes them: Argo CD Applications, Flux
 * Kustomizations, HelmReleases, GitRepositories and OCIRepositories, and core/v1 Events. Each takes
 * a small options object so a test reads as the case; unset omitempty fields are left out, times
 * become RFC 3339 at second precision, and uids, resourceVersions and digests are derived from the
 * object's identity, so building the same case twice gives equal objects.
 */

import { eventNameSuffix, fakeDigest, fakeResourceVersion, fakeSha, fakeUid, kubeMicroTime, kubeTime } from "./ids.js";
import type {
  ArgoApplication,
  ArgoApplicationCondition,
  ArgoApplicationSource,
  ArgoDestination,
  ArgoHealthStatus,
  ArgoInitiator,
  ArgoOperation,
  ArgoOperationPhase,
  ArgoOperationState,
  ArgoResourceResult,
  ArgoRevisionHistory,
  ArgoSyncOperation,
  ArgoSyncOperationResult,
  ArgoSyncPolicy,
  ArgoSyncStatus,
  Condition,
  CoreEvent,
  FluxArtifact,
  FluxSnapshot,
  FluxSourceRef,
  GitRepository,
  HelmChartTemplate,
  HelmRelease,
  HelmSnapshot,
  JsonObject,
  KubeObject,
  Kustomization,
  ObjectMeta,
  ObjectReference,
  OciRepository,
} from "./types.js";

/** A time as a Date or any string Date parses; serialized at second precision. */
export type TimeInput = string | Date;

/** creationTimestamp when a test gives none: before any case's history. */
export const DEFAULT_CREATION_TIMESTAMP = "2025-01-01T00:00:00Z";

type Defined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/** Drops the keys whose value is undefined (Go's omitempty for what a test left unset). */
function clean<T extends object>(o: T): Defined<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as Defined<T>;
}

function time(t: TimeInput | undefined): string | undefined {
  return t === undefined ? undefined : kubeTime(t);
}

/** Metadata options every builder accepts. */
export interface MetaOptions {
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: TimeInput;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
}

function objectMeta(
  apiVersion: string,
  kind: string,
  name: string,
  namespace: string,
  o: MetaOptions,
  hasGeneration = true,
) {
  const seed = `${apiVersion}/${kind}/${namespace}/${name}`;
  const meta = clean({
    name,
    namespace,
    uid: o.uid ?? fakeUid(seed),
    resourceVersion: o.resourceVersion ?? fakeResourceVersion(seed),
    generation: hasGeneration ? (o.generation ?? 1) : undefined,
    creationTimestamp: kubeTime(o.creationTimestamp ?? DEFAULT_CREATION_TIMESTAMP),
    labels: o.labels,
    annotations: o.annotations,
    finalizers: o.finalizers,
  });
  return meta satisfies ObjectMeta;
}

/** The ObjectReference an Event's involvedObject carries for a built object. */
export function objectRef(obj: KubeObject): ObjectReference {
  return clean({
    kind: obj.kind,
    namespace: obj.metadata.namespace,
    name: obj.metadata.name,
    uid: obj.metadata.uid,
    apiVersion: obj.apiVersion,
    resourceVersion: obj.metadata.resourceVersion,
  });
}

// ---- metav1.Condition ----------------------------------------------------------------------

export interface ConditionOptions {
  type: string;
  status: Condition["status"];
  reason: string;
  message: string;
  lastTransitionTime: TimeInput;
  /** Default: the owning object's generation (filled by the Flux builders). */
  observedGeneration?: number;
}

export function condition(o: ConditionOptions): Condition {
  return clean({
    type: o.type,
    status: o.status,
    observedGeneration: o.observedGeneration,
    lastTransitionTime: kubeTime(o.lastTransitionTime),
    reason: o.reason,
    message: o.message,
  });
}

/** A `Ready` condition, e.g. `readyCondition({status: "True", reason: "ReconciliationSucceeded", ...})`. */
export function readyCondition(o: Omit<ConditionOptions, "type">): Condition {
  return condition({ ...o, type: "Ready" });
}

function withGeneration(conditions: Condition[] | undefined, generation: number): Condition[] | undefined {
  return conditions?.map((c) => (c.observedGeneration === undefined ? { ...c, observedGeneration: generation } : c));
}

// ---- Argo CD -------------------------------------------------------------------------------

export const ARGO_API_VERSION = "argoproj.io/v1alpha1";
const IN_CLUSTER = "https://kubernetes.default.svc";

export interface ArgoHistoryEntryOptions {
  id: number;
  /** Single-source apps. */
  revision?: string;
  /** Multi-source apps, index-aligned with `sources`. */
  revisions?: string[];
  /** Absent in very old entries. */
  deployStartedAt?: TimeInput;
  deployedAt: TimeInput;
  source?: ArgoApplicationSource;
  sources?: ArgoApplicationSource[];
  /** Default `{}`; null: the field is absent (entries written before Argo CD 2.11). */
  initiatedBy?: ArgoInitiator | null;
}

/** One `status.history` entry (RevisionHistory). Multi-source entries carry `"source": {"repoURL": ""}`. */
export function argoHistoryEntry(o: ArgoHistoryEntryOptions): ArgoRevisionHistory {
  return clean({
    id: o.id,
    revision: o.revision,
    revisions: o.revisions,
    deployStartedAt: time(o.deployStartedAt),
    deployedAt: kubeTime(o.deployedAt),
    source: o.source ?? { repoURL: "" },
    sources: o.sources,
    initiatedBy: o.initiatedBy === null ? undefined : (o.initiatedBy ?? {}),
  });
}

export interface ArgoOperationOptions {
  sync?: ArgoSyncOperation;
  /** Default `{}`. */
  initiatedBy?: ArgoInitiator;
  retry?: ArgoOperation["retry"];
  info?: ArgoOperation["info"];
}

export function argoOperation(o: ArgoOperationOptions): ArgoOperation {
  return clean({ sync: o.sync, initiatedBy: o.initiatedBy ?? {}, info: o.info, retry: o.retry ?? {} });
}

export interface ArgoOperationStateOptions {
  phase: ArgoOperationPhase;
  startedAt: TimeInput;
  /** Set when the phase completed. */
  finishedAt?: TimeInput;
  operation: ArgoOperationOptions;
  /** Left out when not given (e.g. a Running operation). */
  syncResult?: Omit<ArgoSyncOperationResult, "revision"> & { revision?: string };
  message?: string;
  retryCount?: number;
}

/** `status.operationState`: the last (or running) operation. */
export function argoOperationState(o: ArgoOperationStateOptions): ArgoOperationState {
  const syncResult = o.syncResult
    ? clean({
        resources: o.syncResult.resources,
        revision: o.syncResult.revision ?? "",
        source: o.syncResult.source,
        sources: o.syncResult.sources,
        revisions: o.syncResult.revisions,
      })
    : undefined;
  return clean({
    operation: argoOperation(o.operation),
    phase: o.phase,
    message: o.message,
    syncResult,
    startedAt: kubeTime(o.startedAt),
    finishedAt: time(o.finishedAt),
    retryCount: o.retryCount,
  });
}

/** A ResourceResult in `syncResult.resources`. */
export function argoResourceResult(
  o: Partial<ArgoResourceResult> & Pick<ArgoResourceResult, "kind" | "name">,
): ArgoResourceResult {
  return clean({
    group: o.group ?? "",
    version: o.version ?? "v1",
    kind: o.kind,
    namespace: o.namespace ?? "",
    name: o.name,
    status: o.status ?? "Synced",
    message: o.message,
    hookType: o.hookType,
    hookPhase: o.hookPhase,
    syncPhase: o.syncPhase ?? "Sync",
  });
}

export interface ArgoApplicationOptions extends MetaOptions {
  name: string;
  /** Default "argocd". */
  namespace?: string;
  /** Default "default". */
  project?: string;
  source?: ArgoApplicationSource;
  sources?: ArgoApplicationSource[];
  /** Default: in-cluster server, namespace = the app's name. */
  destination?: ArgoDestination;
  syncPolicy?: ArgoSyncPolicy;
  revisionHistoryLimit?: number;
  /** Oldest first, as Argo CD stores it. */
  history?: ArgoRevisionHistory[];
  operationState?: ArgoOperationState;
  /** An operation requested or running (`.operation`). */
  operation?: ArgoOperation;
  /** Default: Synced at the newest history entry's revision(s). */
  sync?: { status: ArgoSyncStatus["status"]; revision?: string; revisions?: string[] };
  /** Default `{status: "Healthy"}`. */
  health?: { status: string; message?: string; lastTransitionTime?: TimeInput };
  conditions?: { type: string; message: string; lastTransitionTime?: TimeInput }[];
  reconciledAt?: TimeInput;
  sourceType?: string;
  sourceTypes?: string[];
  /** false: the object has no `status` (never reconciled). */
  status?: false;
}

/** An Argo CD Application (`argoproj.io/v1alpha1`). */
export function argoApplication(o: ArgoApplicationOptions): ArgoApplication {
  const namespace = o.namespace ?? "argocd";
  const destination = o.destination ?? { server: IN_CLUSTER, namespace: o.name };
  const meta = objectMeta(ARGO_API_VERSION, "Application", o.name, namespace, o);
  const spec = clean({
    source: o.source,
    sources: o.sources,
    destination,
    project: o.project ?? "default",
    syncPolicy: o.syncPolicy,
    revisionHistoryLimit: o.revisionHistoryLimit,
  });
  const app: ArgoApplication = { apiVersion: ARGO_API_VERSION, kind: "Application", metadata: meta, spec };
  if (o.operation) app.operation = o.operation;
  if (o.status === false) return app;
  const multi = o.sources !== undefined;
  const last = o.history?.at(-1);
  const sync: ArgoSyncStatus = clean({
    status: o.sync?.status ?? "Synced",
    comparedTo: clean({
      source: multi ? { repoURL: "" } : (o.source ?? { repoURL: "" }),
      destination,
      sources: o.sources,
    }),
    revision: o.sync ? o.sync.revision : multi ? undefined : last?.revision,
    revisions: o.sync ? o.sync.revisions : multi ? last?.revisions : undefined,
  });
  const health: ArgoHealthStatus = o.health
    ? clean({
        status: o.health.status,
        message: o.health.message,
        lastTransitionTime: time(o.health.lastTransitionTime),
      })
    : { status: "Healthy" };
  const conditions: ArgoApplicationCondition[] | undefined = o.conditions?.map((c) =>
    clean({ type: c.type, message: c.message, lastTransitionTime: time(c.lastTransitionTime) }),
  );
  app.status = clean({
    sync,
    health,
    history: o.history && o.history.length > 0 ? o.history : undefined,
    conditions,
    reconciledAt: time(o.reconciledAt),
    operationState: o.operationState,
    sourceType: o.sourceType,
    sourceTypes: o.sourceTypes,
    summary: {},
    controllerNamespace: namespace === "argocd" ? "argocd" : undefined,
  });
  return app;
}

// ---- Flux Kustomization --------------------------------------------------------------------

export const KUSTOMIZATION_API_VERSION = "kustomize.toolkit.fluxcd.io/v1";

export interface FluxSnapshotOptions {
  /** Default: derived from metadata.revision (a stand-in for the built manifests' digest). */
  digest?: string;
  firstReconciled: TimeInput;
  /** Default: firstReconciled. */
  lastReconciled?: TimeInput;
  /** Go duration string; default "1.2s". */
  lastReconciledDuration?: string;
  /** The Ready reason; default "ReconciliationSucceeded". */
  lastReconciledStatus?: string;
  /** Default 1. */
  totalReconciliations?: number;
  metadata?: { revision?: string; originRevision?: string } & Record<string, string>;
}

/** One Kustomization `status.history` entry (fluxcd/pkg meta.Snapshot). */
export function fluxSnapshot(o: FluxSnapshotOptions): FluxSnapshot {
  return clean({
    digest: o.digest ?? fakeDigest(`manifests:${o.metadata?.revision ?? kubeTime(o.firstReconciled)}`),
    firstReconciled: kubeTime(o.firstReconciled),
    lastReconciled: kubeTime(o.lastReconciled ?? o.firstReconciled),
    lastReconciledDuration: o.lastReconciledDuration ?? "1.2s",
    lastReconciledStatus: o.lastReconciledStatus ?? "ReconciliationSucceeded",
    totalReconciliations: o.totalReconciliations ?? 1,
    metadata: o.metadata,
  });
}

export interface KustomizationOptions extends MetaOptions {
  name: string;
  /** Default "flux-system". */
  namespace?: string;
  path?: string;
  /** Default `{kind: "GitRepository", name: "flux-system"}`. */
  sourceRef?: FluxSourceRef;
  /** Default "10m0s". */
  interval?: string;
  /** Default true. */
  prune?: boolean;
  suspend?: boolean;
  targetNamespace?: string;
  lastAppliedRevision?: string;
  lastAppliedOriginRevision?: string;
  lastAttemptedRevision?: string;
  conditions?: Condition[];
  /** Newest first; absent before Flux 2.7. */
  history?: FluxSnapshot[];
  /** The `reconcile.fluxcd.io/requestedAt` value last handled (a manual `flux reconcile`). */
  lastHandledReconcileAt?: string;
  /** Default: the generation. */
  observedGeneration?: number;
  /** false: no `status` yet. */
  status?: false;
}

/** A Flux Kustomization (`kustomize.toolkit.fluxcd.io/v1`). */
export function kustomization(o: KustomizationOptions): Kustomization {
  const namespace = o.namespace ?? "flux-system";
  const meta = objectMeta(KUSTOMIZATION_API_VERSION, "Kustomization", o.name, namespace, o);
  const generation = meta.generation ?? 1;
  const k: Kustomization = {
    apiVersion: KUSTOMIZATION_API_VERSION,
    kind: "Kustomization",
    metadata: meta,
    spec: clean({
      interval: o.interval ?? "10m0s",
      path: o.path,
      prune: o.prune ?? true,
      force: false,
      sourceRef: o.sourceRef ?? { kind: "GitRepository", name: "flux-system" },
      suspend: o.suspend,
      targetNamespace: o.targetNamespace,
    }),
  };
  if (o.status === false) return k;
  k.status = clean({
    observedGeneration: o.observedGeneration ?? generation,
    conditions: withGeneration(o.conditions, generation),
    lastAppliedRevision: o.lastAppliedRevision,
    lastAppliedOriginRevision: o.lastAppliedOriginRevision,
    lastAttemptedRevision: o.lastAttemptedRevision,
    lastHandledReconcileAt: o.lastHandledReconcileAt,
    history: o.history && o.history.length > 0 ? o.history : undefined,
  });
  return k;
}

// ---- Flux HelmRelease ----------------------------------------------------------------------

export const HELMRELEASE_API_VERSION = "helm.toolkit.fluxcd.io/v2";

export interface HelmSnapshotOptions {
  /** Release name. */
  name: string;
  /** Release namespace. */
  namespace: string;
  /** Helm release revision. */
  version: number;
  /** Helm status: deployed, superseded, failed, uninstalled, pending-*. */
  status: string;
  chartName: string;
  chartVersion: string;
  appVersion?: string;
  firstDeployed: TimeInput;
  /** Default: firstDeployed. */
  lastDeployed?: TimeInput;
  /** null: serialized as `"deleted": null` (a zero metav1.Time). */
  deleted?: TimeInput | null;
  /** Default: derived from name, namespace and version. */
  digest?: string;
  /** Default: derived from the chart version (same values every release). */
  configDigest?: string;
  testHooks?: Record<string, { lastStarted?: TimeInput; lastCompleted?: TimeInput; phase?: string }>;
  ociDigest?: string;
  apiVersion?: string;
}

/** One HelmRelease `status.history` entry (helm-controller v2 Snapshot). */
export function helmSnapshot(o: HelmSnapshotOptions): HelmSnapshot {
  const testHooks = o.testHooks
    ? Object.fromEntries(
        Object.entries(o.testHooks).map(([name, h]) => [
          name,
          clean({ lastStarted: time(h.lastStarted), lastCompleted: time(h.lastCompleted), phase: h.phase }),
        ]),
      )
    : undefined;
  return clean({
    apiVersion: o.apiVersion,
    digest: o.digest ?? fakeDigest(`release:${o.namespace}/${o.name}.v${o.version}`),
    name: o.name,
    namespace: o.namespace,
    version: o.version,
    status: o.status,
    chartName: o.chartName,
    chartVersion: o.chartVersion,
    appVersion: o.appVersion,
    configDigest: o.configDigest ?? fakeDigest(`values:${o.namespace}/${o.name}`),
    firstDeployed: kubeTime(o.firstDeployed),
    lastDeployed: kubeTime(o.lastDeployed ?? o.firstDeployed),
    deleted: o.deleted === null ? null : time(o.deleted),
    testHooks,
    ociDigest: o.ociDigest,
  });
}

export interface HelmReleaseOptions extends MetaOptions {
  name: string;
  namespace: string;
  /** A chart template (HelmRepository, GitRepository or Bucket source)… */
  chart?: { spec: HelmChartTemplate["spec"]; metadata?: HelmChartTemplate["metadata"] };
  /** …or a reference to an OCIRepository / HelmChart. */
  chartRef?: FluxSourceRef;
  /** Default "10m0s". */
  interval?: string;
  releaseName?: string;
  targetNamespace?: string;
  storageNamespace?: string;
  suspend?: boolean;
  values?: JsonObject;
  /** Newest first. */
  history?: HelmSnapshot[];
  conditions?: Condition[];
  lastAttemptedRevision?: string;
  lastAttemptedRevisionDigest?: string;
  lastAttemptedConfigDigest?: string;
  lastAttemptedReleaseAction?: "install" | "upgrade";
  lastAttemptedGeneration?: number;
  lastAppliedRevision?: string;
  lastHandledReconcileAt?: string;
  lastHandledForceAt?: string;
  lastHandledResetAt?: string;
  failures?: number;
  installFailures?: number;
  upgradeFailures?: number;
  observedGeneration?: number;
  status?: false;
}

/** A Flux HelmRelease (`helm.toolkit.fluxcd.io/v2`). */
export function helmRelease(o: HelmReleaseOptions): HelmRelease {
  if ((o.chart === undefined) === (o.chartRef === undefined))
    throw new Error(`helmRelease ${o.namespace}/${o.name}: give exactly one of chart or chartRef`);
  const meta = objectMeta(HELMRELEASE_API_VERSION, "HelmRelease", o.name, o.namespace, o);
  const generation = meta.generation ?? 1;
  const chart: HelmChartTemplate | undefined = o.chart
    ? clean({
        metadata: o.chart.metadata,
        spec: clean({
          ...o.chart.spec,
          version: o.chart.spec.version ?? "*",
          reconcileStrategy: o.chart.spec.reconcileStrategy ?? "ChartVersion",
        }),
      })
    : undefined;
  const hr: HelmRelease = {
    apiVersion: HELMRELEASE_API_VERSION,
    kind: "HelmRelease",
    metadata: meta,
    spec: clean({
      chart,
      chartRef: o.chartRef,
      interval: o.interval ?? "10m0s",
      releaseName: o.releaseName,
      targetNamespace: o.targetNamespace,
      storageNamespace: o.storageNamespace,
      suspend: o.suspend,
      values: o.values,
    }),
  };
  if (o.status === false) return hr;
  const chartNs = o.chart?.spec.sourceRef.namespace ?? o.namespace;
  hr.status = clean({
    observedGeneration: o.observedGeneration ?? generation,
    lastAttemptedGeneration: o.lastAttemptedGeneration ?? generation,
    conditions: withGeneration(o.conditions, generation),
    helmChart: o.chart ? `${chartNs}/${o.namespace}-${o.name}` : undefined,
    storageNamespace: o.storageNamespace ?? o.namespace,
    history: o.history && o.history.length > 0 ? o.history : undefined,
    lastAttemptedReleaseAction: o.lastAttemptedReleaseAction,
    failures: o.failures || undefined,
    installFailures: o.installFailures || undefined,
    upgradeFailures: o.upgradeFailures || undefined,
    lastAppliedRevision: o.lastAppliedRevision,
    lastAttemptedRevision: o.lastAttemptedRevision,
    lastAttemptedRevisionDigest: o.lastAttemptedRevisionDigest,
    lastAttemptedConfigDigest: o.lastAttemptedConfigDigest,
    lastHandledForceAt: o.lastHandledForceAt,
    lastHandledResetAt: o.lastHandledResetAt,
    lastHandledReconcileAt: o.lastHandledReconcileAt,
  });
  return hr;
}

// ---- Flux sources --------------------------------------------------------------------------

export const SOURCE_API_VERSION = "source.toolkit.fluxcd.io/v1";
const SOURCE_CONTROLLER = "http://source-controller.flux-system.svc.cluster.local.";

export interface ArtifactOptions {
  /** e.g. `main@sha1:<sha>`. */
  revision: string;
  /** Default: derived from the revision. */
  digest?: string;
  lastUpdateTime: TimeInput;
  size?: number;
  /** Default `<kind>/<ns>/<name>/<checksum>.tar.gz`. */
  path?: string;
  /** Default: the source-controller's in-cluster address + path. */
  url?: string;
  metadata?: Record<string, string>;
}

function artifact(kind: string, namespace: string, name: string, a: ArtifactOptions): FluxArtifact {
  const checksum = a.revision.slice(a.revision.lastIndexOf(":") + 1) || fakeSha(a.revision);
  const path = a.path ?? `${kind.toLowerCase()}/${namespace}/${name}/${checksum}.tar.gz`;
  return clean({
    path,
    url: a.url ?? `${SOURCE_CONTROLLER}/${path}`,
    revision: a.revision,
    digest: a.digest ?? fakeDigest(`artifact:${a.revision}`),
    lastUpdateTime: kubeTime(a.lastUpdateTime),
    size: a.size,
    metadata: a.metadata,
  });
}

export interface GitRepositoryOptions extends MetaOptions {
  name: string;
  /** Default "flux-system". */
  namespace?: string;
  url: string;
  /** Default `{branch: "main"}`. */
  ref?: { branch?: string; tag?: string; semver?: string; name?: string; commit?: string };
  /** Default "1m0s". */
  interval?: string;
  secretRef?: { name: string };
  artifact?: ArtifactOptions;
  /** Default: Ready True "Succeeded", `stored artifact for revision '<rev>'`, when an artifact is given. */
  conditions?: Condition[];
}

/** source-controller's Ready condition once it has stored an artifact. */
function storedCondition(
  art: { revision: string } | undefined,
  given: ArtifactOptions | undefined,
  what: "revision" | "digest",
): Condition[] | undefined {
  if (!art || !given) return undefined;
  return [
    readyCondition({
      status: "True",
      reason: "Succeeded",
      message: `stored artifact for ${what} '${art.revision}'`,
      lastTransitionTime: given.lastUpdateTime,
    }),
  ];
}

/** A Flux GitRepository (`source.toolkit.fluxcd.io/v1`). */
export function gitRepository(o: GitRepositoryOptions): GitRepository {
  const namespace = o.namespace ?? "flux-system";
  const meta = objectMeta(SOURCE_API_VERSION, "GitRepository", o.name, namespace, o);
  const generation = meta.generation ?? 1;
  const art = o.artifact ? artifact("GitRepository", namespace, o.name, o.artifact) : undefined;
  const conditions = o.conditions ?? storedCondition(art, o.artifact, "revision");
  return {
    apiVersion: SOURCE_API_VERSION,
    kind: "GitRepository",
    metadata: meta,
    spec: clean({
      url: o.url,
      secretRef: o.secretRef,
      interval: o.interval ?? "1m0s",
      timeout: "60s",
      ref: o.ref ?? { branch: "main" },
    }),
    status: clean({
      observedGeneration: generation,
      conditions: withGeneration(conditions, generation),
      artifact: art,
    }),
  };
}

export interface OciRepositoryOptions extends MetaOptions {
  name: string;
  /** Default "flux-system". */
  namespace?: string;
  /** `oci://…` */
  url: string;
  ref?: { digest?: string; semver?: string; semverFilter?: string; tag?: string };
  interval?: string;
  /** Default "source.toolkit.fluxcd.io/v1" (GA in Flux 2.6); v1beta2 for older clusters. */
  apiVersion?: OciRepository["apiVersion"];
  /** e.g. `latest@sha256:<digest>`. */
  artifact?: ArtifactOptions;
  conditions?: Condition[];
}

/** A Flux OCIRepository. */
export function ociRepository(o: OciRepositoryOptions): OciRepository {
  const namespace = o.namespace ?? "flux-system";
  const apiVersion = o.apiVersion ?? SOURCE_API_VERSION;
  // The uid does not depend on the served version: it is one object.
  const meta = objectMeta(SOURCE_API_VERSION, "OCIRepository", o.name, namespace, o);
  const generation = meta.generation ?? 1;
  const art = o.artifact ? artifact("OCIRepository", namespace, o.name, o.artifact) : undefined;
  const conditions = o.conditions ?? storedCondition(art, o.artifact, "digest");
  return {
    apiVersion,
    kind: "OCIRepository",
    metadata: meta,
    spec: clean({ url: o.url, ref: o.ref ?? { tag: "latest" }, interval: o.interval ?? "5m0s", timeout: "60s" }),
    status: clean({
      observedGeneration: generation,
      conditions: withGeneration(conditions, generation),
      url: art ? `${SOURCE_CONTROLLER}/ocirepository/${namespace}/${o.name}/latest.tar.gz` : undefined,
      artifact: art,
    }),
  };
}

// ---- core/v1 Event -------------------------------------------------------------------------

/** Annotation key kustomize-controller puts the applied revision in. */
export const KUSTOMIZE_REVISION_ANNOTATION = "kustomize.toolkit.fluxcd.io/revision";
/** Annotation key helm-controller puts the chart version in. */
export const HELM_REVISION_ANNOTATION = "helm.toolkit.fluxcd.io/revision";

export interface CoreEventOptions extends Omit<MetaOptions, "creationTimestamp" | "generation"> {
  /** Default: the involved object's namespace. */
  namespace?: string;
  /** Default `<involvedObject.name>.<hex UnixNano of firstTimestamp>`, as client-go names events. */
  name?: string;
  involvedObject: ObjectReference;
  reason: string;
  message: string;
  /** Default "Normal". */
  type?: "Normal" | "Warning";
  firstTimestamp: TimeInput;
  /** Default: firstTimestamp. */
  lastTimestamp?: TimeInput;
  /** Default 1. */
  count?: number;
  /** Default: source.component (current client-go); "" as Argo CD leaves it. */
  reportingComponent?: string;
  reportingInstance?: string;
  /** Default `{component: reportingComponent}` when that is given. */
  source?: { component?: string; host?: string };
  /** Default null (core/v1 recorders leave it zero). */
  eventTime?: TimeInput | null;
  action?: string;
}

/** A core/v1 Event, as `kubectl get event -o json` shows one (list items drop apiVersion/kind). */
export function coreEvent(o: CoreEventOptions): CoreEvent {
  const namespace = o.namespace ?? o.involvedObject.namespace;
  if (!namespace) throw new Error("coreEvent: give a namespace or an involvedObject.namespace");
  const name = o.name ?? `${o.involvedObject.name ?? "event"}.${eventNameSuffix(o.firstTimestamp)}`;
  const source = o.source ?? (o.reportingComponent ? { component: o.reportingComponent } : undefined);
  return clean({
    apiVersion: "v1" as const,
    kind: "Event" as const,
    metadata: objectMeta("v1", "Event", name, namespace, { ...o, creationTimestamp: o.firstTimestamp }, false),
    involvedObject: o.involvedObject,
    reason: o.reason,
    message: o.message,
    source: source ? clean({ component: source.component, host: source.host }) : undefined,
    firstTimestamp: kubeTime(o.firstTimestamp),
    lastTimestamp: kubeTime(o.lastTimestamp ?? o.firstTimestamp),
    count: o.count ?? 1,
    type: o.type ?? "Normal",
    eventTime: o.eventTime === undefined || o.eventTime === null ? null : kubeMicroTime(o.eventTime),
    action: o.action,
    reportingComponent: o.reportingComponent ?? source?.component ?? "",
    reportingInstance: o.reportingInstance ?? source?.host ?? "",
  });
}

/** `<branch>@sha1:<sha>`, the RFC-0005 revision a GitRepository artifact carries. */
export function fluxGitRevision(ref: string, sha: string): string {
  return `${ref}@sha1:${sha}`;
}

export { fakeDigest, fakeSha, fakeUid, kubeTime };
