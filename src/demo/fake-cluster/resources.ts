/**
 * The API resources the fake Kubernetes API server knows. A resource is named
 * `<plural>.<group>/<version>` (core Events: `events`); versions of one group/plural share their
 * objects, as a CRD serving several versions does (only apiVersion differs).
 */

export const KUBE_RESOURCES = [
  "applications.argoproj.io/v1alpha1",
  "kustomizations.kustomize.toolkit.fluxcd.io/v1",
  "helmreleases.helm.toolkit.fluxcd.io/v2",
  "gitrepositories.source.toolkit.fluxcd.io/v1",
  "ocirepositories.source.toolkit.fluxcd.io/v1",
  "ocirepositories.source.toolkit.fluxcd.io/v1beta2",
  "events",
] as const;

export type KubeResource = (typeof KUBE_RESOURCES)[number];

export interface ResourceInfo {
  resource: KubeResource;
  /** "" for the core group. */
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  shortNames: string[];
  /** group/plural: versions of one resource share this store. */
  store: string;
  /** "argoproj.io/v1alpha1", or "v1" for core. */
  apiVersion: string;
  /** RBAC name: "applications.argoproj.io", or "events". */
  groupResource: string;
}

function info(resource: KubeResource, kind: string, singular: string, shortNames: string[]): ResourceInfo {
  if (resource === "events") {
    return {
      resource,
      group: "",
      version: "v1",
      plural: "events",
      singular,
      kind,
      shortNames,
      store: "/events",
      apiVersion: "v1",
      groupResource: "events",
    };
  }
  const slash = resource.indexOf("/");
  const dot = resource.indexOf(".");
  const plural = resource.slice(0, dot);
  const group = resource.slice(dot + 1, slash);
  const version = resource.slice(slash + 1);
  return {
    resource,
    group,
    version,
    plural,
    singular,
    kind,
    shortNames,
    store: `${group}/${plural}`,
    apiVersion: `${group}/${version}`,
    groupResource: `${plural}.${group}`,
  };
}

export const RESOURCE_INFO: Record<KubeResource, ResourceInfo> = {
  "applications.argoproj.io/v1alpha1": info("applications.argoproj.io/v1alpha1", "Application", "application", [
    "app",
    "apps",
  ]),
  "kustomizations.kustomize.toolkit.fluxcd.io/v1": info(
    "kustomizations.kustomize.toolkit.fluxcd.io/v1",
    "Kustomization",
    "kustomization",
    ["ks"],
  ),
  "helmreleases.helm.toolkit.fluxcd.io/v2": info(
    "helmreleases.helm.toolkit.fluxcd.io/v2",
    "HelmRelease",
    "helmrelease",
    ["hr"],
  ),
  "gitrepositories.source.toolkit.fluxcd.io/v1": info(
    "gitrepositories.source.toolkit.fluxcd.io/v1",
    "GitRepository",
    "gitrepository",
    ["gitrepo"],
  ),
  "ocirepositories.source.toolkit.fluxcd.io/v1": info(
    "ocirepositories.source.toolkit.fluxcd.io/v1",
    "OCIRepository",
    "ocirepository",
    ["ocirepo"],
  ),
  "ocirepositories.source.toolkit.fluxcd.io/v1beta2": info(
    "ocirepositories.source.toolkit.fluxcd.io/v1beta2",
    "OCIRepository",
    "ocirepository",
    ["ocirepo"],
  ),
  events: info("events", "Event", "event", ["ev"]),
};

/** The resource a URL's group/version/plural names, if the fake knows it. */
export function findResource(group: string, version: string, plural: string): ResourceInfo | undefined {
  return Object.values(RESOURCE_INFO).find((r) => r.group === group && r.version === version && r.plural === plural);
}
