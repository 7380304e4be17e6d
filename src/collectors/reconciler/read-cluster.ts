import { statSync } from "node:fs";
import type { ClusterConfig } from "../../config/schema.js";
import { ClusterError } from "../../errors/index.js";
import type { Logger } from "../../log/logger.js";
import { append } from "../../util/append.js";
import { listArgoApplications } from "./argocd-api.js";
import { kubeAccess } from "./kube-access.js";
import { firstServed, KubeClient, type KubeResource, resourceName, VERSIONS } from "./kube-client.js";
import { readObjectFiles } from "./object-files.js";

/**
 * Reads a cluster entry's raw objects from its one source (the Kubernetes API, Argo CD's API or
 * exported files), each with the time it was read. A list that fails is named and the others
 * are still read: what was read is kept, and the failure makes the run incomplete.
 */

export interface RawObject {
  raw: unknown;
  observedAt: string;
}

export interface ClusterRead {
  applications: RawObject[];
  kustomizations: RawObject[];
  helmReleases: RawObject[];
  /** GitRepository, OCIRepository, HelmRepository, Bucket: where Flux objects' sources point. */
  sources: unknown[];
  events: unknown[];
  /** Lists that failed, each one line naming the cluster and the list. */
  failures: string[];
  /** Reconcilers or kinds not present: worth saying, not a failure. */
  notes: string[];
  warnings: string[];
  requests: number;
  retries: number;
  endpoint: string;
  /** What stopped the read (refused credentials, an unreachable server), or failed every list. */
  fatal: ClusterError | null;
}

export interface ReadContext {
  log: Logger;
  now: () => Date;
  env: NodeJS.ProcessEnv;
  retryBaseMs?: number;
}

function emptyRead(endpoint: string): ClusterRead {
  return {
    applications: [],
    kustomizations: [],
    helmReleases: [],
    sources: [],
    events: [],
    failures: [],
    notes: [],
    warnings: [],
    requests: 0,
    retries: 0,
    endpoint,
    fatal: null,
  };
}

const SOURCE_KINDS = new Set(["GitRepository", "OCIRepository", "HelmRepository", "Bucket"]);

export async function readCluster(cluster: ClusterConfig, index: number, ctx: ReadContext): Promise<ClusterRead> {
  if (cluster.files) return readFiles(cluster);
  if (cluster.argocdApi) {
    const api = await listArgoApplications(cluster, index, ctx.env, {
      log: ctx.log,
      ...(ctx.retryBaseMs !== undefined ? { retryBaseMs: ctx.retryBaseMs } : {}),
    });
    const read = emptyRead(api.endpoint);
    const observedAt = ctx.now().toISOString();
    read.applications = api.items.map((raw) => ({ raw, observedAt }));
    read.requests = api.requests;
    read.retries = api.retries;
    // Argo CD filters a list by the token's RBAC instead of refusing it: none may mean "not allowed".
    if (api.items.length === 0) {
      read.notes.push(
        "Argo CD listed no applications: the token's RBAC may hide them (argocd account can-i get applications)",
      );
    }
    return read;
  }
  return readKube(cluster, index, ctx);
}

function readFiles(cluster: ClusterConfig): ClusterRead {
  const read = emptyRead((cluster.files ?? []).join(", "));
  for (const file of cluster.files ?? []) {
    // An export says what the cluster held when kubectl wrote it: the file's time is the read.
    const observedAt = statSync(file, { throwIfNoEntry: false })?.mtime.toISOString() ?? new Date(0).toISOString();
    const { byKind, warnings } = readObjectFiles(cluster.name, [file]);
    append(read.warnings, warnings);
    for (const [kind, objects] of byKind) {
      const stamped = objects.map((raw) => ({ raw, observedAt }));
      if (kind === "Application") append(read.applications, stamped);
      else if (kind === "Kustomization") append(read.kustomizations, stamped);
      else if (kind === "HelmRelease") append(read.helmReleases, stamped);
      else if (kind === "Event") append(read.events, objects);
      else if (SOURCE_KINDS.has(kind)) append(read.sources, objects);
      else read.warnings.push(`${file}: ${objects.length} ${kind} object(s) are not reconciler records; skipped`);
    }
  }
  return read;
}

async function readKube(cluster: ClusterConfig, index: number, ctx: ReadContext): Promise<ClusterRead> {
  const access = await kubeAccess(cluster, index, ctx.env);
  const client = new KubeClient(access, {
    cluster: cluster.name,
    timeoutMs: cluster.timeoutSeconds * 1000,
    pageSize: cluster.pageSize,
    maxRetries: cluster.maxRetries,
    log: ctx.log,
    ...(ctx.retryBaseMs !== undefined ? { retryBaseMs: ctx.retryBaseMs } : {}),
  });
  const read = emptyRead(access.server);
  const namespaces: (string | undefined)[] = cluster.namespaces ?? [undefined];
  let attempted = 0;
  let failed = 0;
  let firstError: ClusterError | null = null;

  /**
   * Every page of one resource in every configured namespace, in the first of its API versions
   * the cluster serves (older Flux serves older versions); null when it could not be read.
   */
  const listAll = async (
    versions: readonly KubeResource[],
    how: { required: boolean; fieldSelector?: string },
  ): Promise<unknown[] | null> => {
    attempted++;
    try {
      const served = await firstServed(versions, async (r) => {
        const items: unknown[] = [];
        for (const ns of namespaces) append(items, await client.list(r, ns, how.fieldSelector));
        return items;
      });
      if (served) return served.value;
      // A reconciler not installed is worth a note; a source kind not installed is not.
      const first = versions[0];
      if (how.required && first) {
        read.notes.push(`${resourceName(first)} is not served (${versions.map((v) => v.version).join(", ")})`);
      }
      attempted--;
      return null;
    } catch (e) {
      if (!(e instanceof ClusterError)) throw e;
      if (!how.required) {
        read.warnings.push(e.message);
        attempted--;
        return null;
      }
      failed++;
      read.failures.push(e.message);
      firstError ??= e;
      // Refused credentials or an unreachable server fail every other list the same way.
      if (e.code === "E_CLUSTER_AUTH" || e.code === "E_CLUSTER_UNREACHABLE") throw e;
      return null;
    }
  };

  try {
    if (cluster.reconcilers.includes("argocd")) {
      const observedAt = ctx.now().toISOString();
      const apps = await listAll(VERSIONS.applications, { required: true });
      read.applications = (apps ?? []).map((raw) => ({ raw, observedAt }));
      // Argo CD's Events keep a failed sync that the next operation replaced (for about an hour).
      if (cluster.events && apps !== null) {
        const found = await listAll(VERSIONS.events, {
          required: true,
          fieldSelector: "involvedObject.kind=Application",
        });
        append(read.events, found ?? []);
      }
    }
    if (cluster.reconcilers.includes("flux")) {
      for (const r of [VERSIONS.gitrepositories, VERSIONS.ocirepositories, VERSIONS.helmrepositories]) {
        append(read.sources, (await listAll(r, { required: false })) ?? []);
      }
      const ksAt = ctx.now().toISOString();
      read.kustomizations = ((await listAll(VERSIONS.kustomizations, { required: true })) ?? []).map((raw) => ({
        raw,
        observedAt: ksAt,
      }));
      const hrAt = ctx.now().toISOString();
      read.helmReleases = ((await listAll(VERSIONS.helmreleases, { required: true })) ?? []).map((raw) => ({
        raw,
        observedAt: hrAt,
      }));
      if (cluster.events) {
        for (const kind of ["Kustomization", "HelmRelease"]) {
          const found = await listAll(VERSIONS.events, {
            required: true,
            fieldSelector: `involvedObject.kind=${kind}`,
          });
          append(read.events, found ?? []);
        }
      }
    }
  } catch (e) {
    if (!(e instanceof ClusterError)) throw e;
    read.fatal = e;
  } finally {
    read.requests = client.requests;
    read.retries = client.retries;
  }
  // Every list failing is the cluster's failure, not a partial read.
  if (!read.fatal && failed > 0 && failed === attempted) read.fatal = firstError;
  return read;
}
