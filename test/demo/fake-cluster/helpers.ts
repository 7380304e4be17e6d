import {
  argoApplication,
  argoHistoryEntry,
  coreEvent,
  fakeSha,
  fluxGitRevision,
  KUSTOMIZE_REVISION_ANNOTATION,
  kustomization,
  objectRef,
  readyCondition,
} from "../../../src/demo/fake-cluster/index.js";

export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
  body: any;
}

/** GET url+path with an optional bearer token; the body parsed as JSON. */
export async function get(base: string, path: string, token?: string, init: RequestInit = {}): Promise<Answer> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const res = await fetch(base + path, {
    ...init,
    headers: { ...headers, ...(init.headers as Record<string, string>) },
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === "" ? undefined : JSON.parse(text) };
}

const repo = "https://github.com/acme/gitops.git";

export function app(name: string, namespace = "argocd", project = "default") {
  const source = { repoURL: repo, path: `apps/${name}`, targetRevision: "main" };
  return argoApplication({
    name,
    namespace,
    project,
    source,
    history: [
      argoHistoryEntry({
        id: 0,
        revision: fakeSha(`${name}-1`),
        deployStartedAt: "2026-07-14T09:10:02Z",
        deployedAt: "2026-07-14T09:10:31Z",
        source,
        initiatedBy: { automated: true },
      }),
    ],
  });
}

export function ks(name: string, namespace = "flux-system") {
  const rev = fluxGitRevision("main", fakeSha(name));
  return kustomization({
    name,
    namespace,
    path: `./${name}`,
    lastAppliedRevision: rev,
    lastAttemptedRevision: rev,
    conditions: [
      readyCondition({
        status: "True",
        reason: "ReconciliationSucceeded",
        message: `Applied revision: ${rev}`,
        lastTransitionTime: "2026-07-14T10:00:00Z",
      }),
    ],
  });
}

export function ksEvent(k: ReturnType<typeof ks>, reason: string, at: string) {
  return coreEvent({
    involvedObject: objectRef(k),
    reason,
    message: `${reason} for ${k.metadata.name}`,
    type: reason.endsWith("Failed") ? "Warning" : "Normal",
    annotations: { [KUSTOMIZE_REVISION_ANNOTATION]: k.status?.lastAppliedRevision ?? "" },
    firstTimestamp: at,
    reportingComponent: "kustomize-controller",
  });
}
