/**
 * JSON shapes of the objects the fake cluster serves, as the Kubernetes and Argo CD API servers
 * serialize them. Field names follow the Go types (json tags); optional (`?`) marks `omitempty`
 * fields and pointers that may be absent. Times are RFC 3339 strings (see ids.ts). Sources:
 * docs/reference/reconcilers.md.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** metav1.ObjectMeta, the fields the fakes use. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
}

/** Any namespaced object the fake API server can hold. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

/** corev1.ObjectReference (every field omitempty). */
export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** metav1.Condition. */
export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

// ---- Argo CD (argoproj.io/v1alpha1) --------------------------------------------------------

export interface ArgoApplicationSource {
  /** Not omitempty: `{"repoURL": ""}` is what an unset source serializes to. */
  repoURL: string;
  path?: string;
  targetRevision?: string;
  chart?: string;
  ref?: string;
  name?: string;
  helm?: JsonObject;
  kustomize?: JsonObject;
  directory?: JsonObject;
  plugin?: JsonObject;
}

export interface ArgoDestination {
  server?: string;
  namespace?: string;
  name?: string;
}

/** OperationInitiator: `{username}` for a person, `{automated: true}` for auto-sync, `{}` when unknown. */
export interface ArgoInitiator {
  username?: string;
  automated?: boolean;
}

export interface ArgoSyncPolicy {
  automated?: { prune?: boolean; selfHeal?: boolean; allowEmpty?: boolean };
  syncOptions?: string[];
  retry?: JsonObject;
}

export interface ArgoRevisionHistory {
  id: number;
  revision?: string;
  revisions?: string[];
  deployStartedAt?: string;
  deployedAt: string;
  /** Always emitted (struct): `{"repoURL": ""}` on multi-source entries. */
  source?: ArgoApplicationSource;
  sources?: ArgoApplicationSource[];
  /** Absent in entries written before Argo CD 2.11. */
  initiatedBy?: ArgoInitiator;
}

export interface ArgoSyncStrategy {
  apply?: { force?: boolean };
  hook?: { force?: boolean };
}

export interface ArgoSyncOperationResource {
  group?: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface ArgoSyncOperation {
  revision?: string;
  revisions?: string[];
  prune?: boolean;
  dryRun?: boolean;
  syncStrategy?: ArgoSyncStrategy;
  /** Non-empty: a partial sync (never enters history). */
  resources?: ArgoSyncOperationResource[];
  /** Set by a rollback; nil for a sync. */
  source?: ArgoApplicationSource;
  sources?: ArgoApplicationSource[];
  syncOptions?: string[];
  autoHealAttemptsCount?: number;
}

export interface ArgoOperation {
  sync?: ArgoSyncOperation;
  /** Always emitted (struct). */
  initiatedBy: ArgoInitiator;
  info?: { name?: string; value?: string }[];
  /** Always emitted (struct), often `{}`. */
  retry: { limit?: number; backoff?: { duration?: string; factor?: number; maxDuration?: string } };
}

export interface ArgoResourceResult {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
  status?: string;
  message?: string;
  hookType?: string;
  hookPhase?: string;
  syncPhase?: string;
}

export interface ArgoSyncOperationResult {
  resources?: ArgoResourceResult[];
  /** Not omitempty: `""` for multi-source. */
  revision: string;
  source?: ArgoApplicationSource;
  sources?: ArgoApplicationSource[];
  revisions?: string[];
}

export type ArgoOperationPhase = "Running" | "Terminating" | "Failed" | "Error" | "Succeeded";

export interface ArgoOperationState {
  operation: ArgoOperation;
  phase: ArgoOperationPhase;
  message?: string;
  syncResult?: ArgoSyncOperationResult;
  startedAt: string;
  finishedAt?: string;
  retryCount?: number;
}

export interface ArgoSyncStatus {
  status: "Synced" | "OutOfSync" | "Unknown";
  comparedTo: {
    source?: ArgoApplicationSource;
    destination: ArgoDestination;
    sources?: ArgoApplicationSource[];
  };
  revision?: string;
  revisions?: string[];
}

export interface ArgoHealthStatus {
  status?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface ArgoApplicationCondition {
  type: string;
  message: string;
  lastTransitionTime?: string;
}

export interface ArgoApplicationStatus {
  sync: ArgoSyncStatus;
  health: ArgoHealthStatus;
  history?: ArgoRevisionHistory[];
  conditions?: ArgoApplicationCondition[];
  reconciledAt?: string;
  operationState?: ArgoOperationState;
  sourceType?: string;
  sourceTypes?: string[];
  summary: { externalURLs?: string[]; images?: string[] };
  controllerNamespace?: string;
}

export interface ArgoApplication extends KubeObject {
  apiVersion: "argoproj.io/v1alpha1";
  kind: "Application";
  metadata: ObjectMeta & { namespace: string };
  spec: {
    source?: ArgoApplicationSource;
    sources?: ArgoApplicationSource[];
    destination: ArgoDestination;
    project: string;
    syncPolicy?: ArgoSyncPolicy;
    revisionHistoryLimit?: number;
  };
  status?: ArgoApplicationStatus;
  /** Present only while an operation is requested or running. */
  operation?: ArgoOperation;
}

// ---- Flux ---------------------------------------------------------------------------------

/** fluxcd/pkg meta.Snapshot (Kustomization `status.history`, newest first). */
export interface FluxSnapshot {
  digest: string;
  firstReconciled: string;
  lastReconciled: string;
  /** Go duration string, e.g. `2.818583s`. */
  lastReconciledDuration: string;
  lastReconciledStatus: string;
  totalReconciliations: number;
  metadata?: Record<string, string>;
}

/** Kustomization `spec.sourceRef` (CrossNamespaceSourceReference). */
export interface FluxSourceRef {
  apiVersion?: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface Kustomization extends KubeObject {
  apiVersion: "kustomize.toolkit.fluxcd.io/v1";
  kind: "Kustomization";
  metadata: ObjectMeta & { namespace: string };
  spec: {
    interval: string;
    path?: string;
    prune: boolean;
    force?: boolean;
    sourceRef: FluxSourceRef;
    suspend?: boolean;
    targetNamespace?: string;
    serviceAccountName?: string;
    timeout?: string;
  };
  status?: {
    observedGeneration?: number;
    conditions?: Condition[];
    lastAppliedRevision?: string;
    lastAppliedOriginRevision?: string;
    lastAttemptedRevision?: string;
    lastHandledReconcileAt?: string;
    inventory?: { entries: { id: string; v: string }[] };
    history?: FluxSnapshot[];
  };
}

/** helm-controller v2 Snapshot (HelmRelease `status.history`, newest first). */
export interface HelmSnapshot {
  apiVersion?: string;
  digest: string;
  name: string;
  namespace: string;
  version: number;
  status: string;
  chartName: string;
  chartVersion: string;
  appVersion?: string;
  configDigest: string;
  firstDeployed: string;
  lastDeployed: string;
  deleted?: string | null;
  testHooks?: Record<string, { lastStarted?: string; lastCompleted?: string; phase?: string }>;
  ociDigest?: string;
}

export interface HelmChartTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    chart: string;
    version?: string;
    sourceRef: FluxSourceRef;
    interval?: string;
    reconcileStrategy?: string;
    valuesFiles?: string[];
  };
}

export interface HelmRelease extends KubeObject {
  apiVersion: "helm.toolkit.fluxcd.io/v2";
  kind: "HelmRelease";
  metadata: ObjectMeta & { namespace: string };
  spec: {
    chart?: HelmChartTemplate;
    chartRef?: FluxSourceRef;
    interval: string;
    releaseName?: string;
    targetNamespace?: string;
    storageNamespace?: string;
    suspend?: boolean;
    values?: JsonObject;
  };
  status?: {
    observedGeneration?: number;
    lastAttemptedGeneration?: number;
    conditions?: Condition[];
    helmChart?: string;
    storageNamespace?: string;
    history?: HelmSnapshot[];
    lastAttemptedReleaseAction?: "install" | "upgrade";
    failures?: number;
    installFailures?: number;
    upgradeFailures?: number;
    lastAppliedRevision?: string;
    lastAttemptedRevision?: string;
    lastAttemptedRevisionDigest?: string;
    lastAttemptedValuesChecksum?: string;
    lastReleaseRevision?: number;
    lastAttemptedConfigDigest?: string;
    lastHandledForceAt?: string;
    lastHandledResetAt?: string;
    lastHandledReconcileAt?: string;
  };
}

/** fluxcd/pkg meta.Artifact. */
export interface FluxArtifact {
  path: string;
  url: string;
  revision: string;
  digest?: string;
  lastUpdateTime: string;
  size?: number;
  metadata?: Record<string, string>;
}

export interface GitRepository extends KubeObject {
  apiVersion: "source.toolkit.fluxcd.io/v1";
  kind: "GitRepository";
  metadata: ObjectMeta & { namespace: string };
  spec: {
    url: string;
    secretRef?: { name: string };
    interval: string;
    timeout?: string;
    ref?: { branch?: string; tag?: string; semver?: string; name?: string; commit?: string };
    suspend?: boolean;
  };
  status?: {
    observedGeneration?: number;
    conditions?: Condition[];
    artifact?: FluxArtifact;
    lastHandledReconcileAt?: string;
  };
}

export interface OciRepository extends KubeObject {
  apiVersion: "source.toolkit.fluxcd.io/v1" | "source.toolkit.fluxcd.io/v1beta2";
  kind: "OCIRepository";
  metadata: ObjectMeta & { namespace: string };
  spec: {
    url: string;
    ref?: { digest?: string; semver?: string; semverFilter?: string; tag?: string };
    interval: string;
    timeout?: string;
    suspend?: boolean;
  };
  status?: {
    observedGeneration?: number;
    conditions?: Condition[];
    url?: string;
    artifact?: FluxArtifact;
    lastHandledReconcileAt?: string;
  };
}

// ---- core/v1 Event -------------------------------------------------------------------------

export interface CoreEvent extends KubeObject {
  /** Present on a single Event; list items omit it (the fake API server strips it). */
  apiVersion?: "v1";
  kind?: "Event";
  metadata: ObjectMeta & { namespace: string };
  involvedObject: ObjectReference;
  reason?: string;
  message?: string;
  source?: { component?: string; host?: string };
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  count?: number;
  type?: "Normal" | "Warning";
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
  action?: string;
  related?: ObjectReference;
  /** Not omitempty. */
  reportingComponent: string;
  /** Not omitempty. */
  reportingInstance: string;
}
