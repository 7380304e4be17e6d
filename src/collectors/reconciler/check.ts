import type { ClusterConfig } from "../../config/schema.js";
import { ClusterError, messageOf } from "../../errors/index.js";
import { silentLogger } from "../../log/logger.js";
import { listArgoApplications } from "./argocd-api.js";
import { kubeAccess } from "./kube-access.js";
import { firstServed, KubeClient, type KubeResource, resourceName, VERSIONS } from "./kube-client.js";
import { readObjectFiles } from "./object-files.js";

/**
 * `config check` for cluster entries: the source can be reached with its credentials, and may
 * list what the collector lists (one object per resource, nothing stored). Lines for what is
 * fine, problems for what is not, each naming the cluster.
 */
export async function checkClusters(
  clusters: readonly ClusterConfig[],
  offline: boolean,
  env: NodeJS.ProcessEnv,
): Promise<{ lines: string[]; problems: string[] }> {
  const lines: string[] = [];
  const problems: string[] = [];
  for (const [index, c] of clusters.entries()) {
    try {
      if (c.files) {
        const { byKind, warnings } = readObjectFiles(c.name, c.files);
        const kinds = [...byKind].map(([k, list]) => `${list.length} ${k}`).sort();
        lines.push(`cluster ${c.name}: files readable: ${kinds.join(", ") || "no objects"}`);
        problems.push(...warnings.map((w) => `cluster ${c.name}: ${w}`));
      } else if (offline) {
        lines.push(`cluster ${c.name}: not contacted (--offline)`);
      } else if (c.argocdApi) {
        const read = await listArgoApplications(c, index, env, { log: silentLogger, retryBaseMs: 200 });
        lines.push(`cluster ${c.name}: Argo CD at ${read.endpoint}: ${read.items.length} applications visible`);
      } else {
        const access = await kubeAccess(c, index, env);
        const client = new KubeClient(access, {
          cluster: c.name,
          timeoutMs: c.timeoutSeconds * 1000,
          pageSize: 1,
          maxRetries: 0,
          log: silentLogger,
        });
        const families = [
          ...(c.reconcilers.includes("argocd") ? [VERSIONS.applications] : []),
          ...(c.reconcilers.includes("flux") ? [VERSIONS.kustomizations, VERSIONS.helmreleases] : []),
          ...(c.reconcilers.includes("flux") && c.events ? [VERSIONS.events] : []),
        ];
        const said: string[] = [];
        for (const versions of families) {
          for (const ns of c.namespaces ?? [undefined]) said.push(await probeFamily(client, versions, ns, problems));
        }
        lines.push(
          `cluster ${c.name}: ${access.server} (${access.credentials}): ${said.join(", ") || "nothing readable"}`,
        );
      }
    } catch (e) {
      problems.push(messageOf(e));
    }
  }
  return { lines, problems };
}

/** `kustomizations.kustomize.toolkit.fluxcd.io readable`, in the first version the cluster serves. */
async function probeFamily(
  client: KubeClient,
  versions: readonly KubeResource[],
  ns: string | undefined,
  problems: string[],
): Promise<string> {
  const where = (r: KubeResource) =>
    `${resourceName(r)}${r === versions[0] ? "" : ` ${r.version}`}${ns ? ` in ${ns}` : ""}`;
  let tried = versions[0];
  try {
    const served = await firstServed(versions, (r) => {
      tried = r;
      return client.probe(r, ns);
    });
    if (served) return `${where(served.resource)} readable`;
  } catch (e) {
    if (e instanceof ClusterError && e.code === "E_CLUSTER_FORBIDDEN" && tried) {
      problems.push(e.message);
      return `${where(tried)} forbidden`;
    }
    throw e;
  }
  const first = versions[0];
  return `${first ? resourceName(first) : "?"}${ns ? ` in ${ns}` : ""} not served`;
}
