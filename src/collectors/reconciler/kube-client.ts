import { z } from "zod";
import { ClusterError } from "../../errors/index.js";
import type { Logger } from "../../log/logger.js";
import { append } from "../../util/append.js";
import { oneLine } from "../../util/visible.js";
import { errorText, getJsonRetrying, type JsonAnswer, type TlsAndHeaders } from "./http-json.js";

/**
 * Lists from the Kubernetes API (docs/reference/reconcilers.md §5): `limit`/`continue` pages, a
 * list restarted from scratch when its continue token expires (410: pages of two snapshots are
 * never mixed), 5xx, timeouts and broken answers retried with back-off, and every refusal turned
 * into one line that names the cluster, the resource and the credentials, never the token.
 */

export interface KubeResource {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

export const RESOURCES = {
  applications: { group: "argoproj.io", version: "v1alpha1", plural: "applications", kind: "Application" },
  kustomizations: {
    group: "kustomize.toolkit.fluxcd.io",
    version: "v1",
    plural: "kustomizations",
    kind: "Kustomization",
  },
  helmreleases: { group: "helm.toolkit.fluxcd.io", version: "v2", plural: "helmreleases", kind: "HelmRelease" },
  gitrepositories: {
    group: "source.toolkit.fluxcd.io",
    version: "v1",
    plural: "gitrepositories",
    kind: "GitRepository",
  },
  ocirepositories: {
    group: "source.toolkit.fluxcd.io",
    version: "v1",
    plural: "ocirepositories",
    kind: "OCIRepository",
  },
  helmrepositories: {
    group: "source.toolkit.fluxcd.io",
    version: "v1",
    plural: "helmrepositories",
    kind: "HelmRepository",
  },
  events: { group: "", version: "v1", plural: "events", kind: "Event" },
} as const satisfies Record<string, KubeResource>;

/**
 * Each resource in the API versions the collector reads, newest first: a cluster with an older
 * Flux serves only an older version (HelmRelease v2beta1 before Flux 2.3, OCIRepository v1beta2
 * before 2.6), and its objects map the same way.
 */
export const VERSIONS = {
  applications: [RESOURCES.applications],
  kustomizations: [RESOURCES.kustomizations, { ...RESOURCES.kustomizations, version: "v1beta2" }],
  helmreleases: [
    RESOURCES.helmreleases,
    { ...RESOURCES.helmreleases, version: "v2beta2" },
    { ...RESOURCES.helmreleases, version: "v2beta1" },
  ],
  gitrepositories: [RESOURCES.gitrepositories, { ...RESOURCES.gitrepositories, version: "v1beta2" }],
  ocirepositories: [RESOURCES.ocirepositories, { ...RESOURCES.ocirepositories, version: "v1beta2" }],
  helmrepositories: [RESOURCES.helmrepositories, { ...RESOURCES.helmrepositories, version: "v1beta2" }],
  events: [RESOURCES.events],
} as const satisfies Record<string, readonly KubeResource[]>;

export interface KubeAccess {
  server: string;
  tls: TlsAndHeaders;
  /** Where the credentials came from, for messages: "kubeconfig ~/.kube/config, context prod". */
  credentials: string;
}

export interface KubeClientOptions {
  cluster: string;
  timeoutMs: number;
  pageSize: number;
  maxRetries: number;
  /** First retry wait; doubled each time (tests make it small). */
  retryBaseMs?: number;
  log: Logger;
}

const listSchema = z.looseObject({
  items: z.array(z.unknown()).nullable(),
  metadata: z.looseObject({ continue: z.string().optional() }).optional(),
});

/** The resource as Kubernetes names it in messages: `kustomizations.kustomize.toolkit.fluxcd.io`. */
export function resourceName(r: KubeResource): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

export function listPath(r: KubeResource, namespace?: string): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  return namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${r.plural}` : `${base}/${r.plural}`;
}

/** The resource is not served (its CRD is not installed): not an error for a reconciler not in use. */
export class NotServedError extends ClusterError {}

/**
 * `attempt` on each API version of a resource in turn, until the cluster serves one; null when it
 * serves none. Any other failure passes through.
 */
export async function firstServed<T>(
  versions: readonly KubeResource[],
  attempt: (r: KubeResource) => Promise<T>,
): Promise<{ resource: KubeResource; value: T } | null> {
  for (const resource of versions) {
    try {
      return { resource, value: await attempt(resource) };
    } catch (e) {
      if (!(e instanceof NotServedError)) throw e;
    }
  }
  return null;
}

export class KubeClient {
  requests = 0;
  retries = 0;
  constructor(
    private readonly access: KubeAccess,
    private readonly options: KubeClientOptions,
  ) {}

  async list(resource: KubeResource, namespace?: string, fieldSelector?: string): Promise<unknown[]> {
    const where = `${resourceName(resource)}${namespace ? ` in namespace ${namespace}` : ""}`;
    for (let restart = 0; ; restart++) {
      const items: unknown[] = [];
      let cont: string | undefined;
      let expired = false;
      do {
        const url = new URL(listPath(resource, namespace), this.access.server);
        url.searchParams.set("limit", String(this.options.pageSize));
        if (cont) url.searchParams.set("continue", cont);
        if (fieldSelector) url.searchParams.set("fieldSelector", fieldSelector);
        const answer = await this.get(url, where);
        if (answer.status === 410 && cont) {
          expired = true;
          break;
        }
        this.refuse(answer, where);
        const page = listSchema.safeParse(answer.json);
        if (!page.success) {
          throw new ClusterError(
            "E_CLUSTER_RESPONSE",
            `cluster ${this.options.cluster}: the list of ${where} is not a Kubernetes list (${page.error.issues[0]?.path.join(".") || "body"} ${page.error.issues[0]?.message ?? ""})`,
          );
        }
        append(items, page.data.items ?? []);
        cont = page.data.metadata?.continue || undefined;
      } while (cont);
      if (!expired) return items;
      if (restart >= 2) {
        throw new ClusterError(
          "E_CLUSTER_EXPIRED",
          `cluster ${this.options.cluster}: the list of ${where} expired three times before it could be read whole; try a larger page size`,
          { transient: true },
        );
      }
      this.options.log.warn("the list's continue token expired; listing again from the start", {
        cluster: this.options.cluster,
        resource: where,
      });
    }
  }

  /** One page of at most one object: whether the credentials may list the resource at all. */
  async probe(resource: KubeResource, namespace?: string): Promise<void> {
    const where = `${resourceName(resource)}${namespace ? ` in namespace ${namespace}` : ""}`;
    const url = new URL(listPath(resource, namespace), this.access.server);
    url.searchParams.set("limit", "1");
    this.refuse(await this.get(url, where), where);
  }

  private async get(url: URL, where: string): Promise<JsonAnswer> {
    return getJsonRetrying(url, this.access.tls, {
      what: `cluster ${this.options.cluster}: listing ${where} at ${this.access.server}`,
      timeoutMs: this.options.timeoutMs,
      maxRetries: this.options.maxRetries,
      retryBaseMs: this.options.retryBaseMs ?? 1000,
      onAttempt: () => this.requests++,
      onRetry: (failure, attempt) => {
        this.retries++;
        this.options.log.debug("retrying", { cluster: this.options.cluster, resource: where, failure, attempt });
      },
    });
  }

  private refuse(answer: JsonAnswer, where: string): void {
    const { status } = answer;
    if (status >= 200 && status < 300) return;
    const cluster = `cluster ${this.options.cluster}`;
    const said = statusText(answer);
    if (status === 401) {
      throw new ClusterError(
        "E_CLUSTER_AUTH",
        `${cluster}: the API server at ${this.access.server} refused the credentials from ${this.access.credentials} (401${said})`,
      );
    }
    if (status === 403) {
      throw new ClusterError(
        "E_CLUSTER_FORBIDDEN",
        `${cluster}: the credentials from ${this.access.credentials} may not list ${where} (403${said}); apply deploy/rbac.yaml`,
      );
    }
    if (status === 404) {
      throw new NotServedError("E_CLUSTER_NOT_SERVED", `${cluster}: ${where} is not served (is its CRD installed?)`);
    }
    throw new ClusterError("E_CLUSTER_RESPONSE", `${cluster}: listing ${where} answered HTTP ${status}${said}`);
  }
}

/** `: <the server's message>`, shown as untrusted text on one line. */
export function statusText(answer: JsonAnswer): string {
  const text = errorText(answer.json) ?? (answer.json === undefined ? answer.excerpt : undefined);
  return text ? `: ${oneLine(text, 300)}` : "";
}
