import type { ClusterConfig } from "../../config/schema.js";
import { ClusterError, messageOf } from "../../errors/index.js";
import { silentLogger } from "../../log/logger.js";
import { listArgoApplications } from "./argocd-api.js";
import { kubeAccess } from "./kube-access.js";
import { KubeClient, NotServedError, RESOURCES, resourceName } from "./kube-client.js";
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
        const resources = [
          ...(c.reconcilers.includes("argocd") ? [RESOURCES.applications] : []),
          ...(c.reconcilers.includes("flux") ? [RESOURCES.kustomizations, RESOURCES.helmreleases] : []),
          ...(c.reconcilers.includes("flux") && c.events ? [RESOURCES.events] : []),
        ];
        const said: string[] = [];
        for (const r of resources) {
          for (const ns of c.namespaces ?? [undefined]) {
            const where = `${resourceName(r)}${ns ? ` in ${ns}` : ""}`;
            try {
              await client.probe(r, ns);
              said.push(`${where} readable`);
            } catch (e) {
              if (e instanceof NotServedError) said.push(`${where} not served`);
              else if (e instanceof ClusterError && e.code === "E_CLUSTER_FORBIDDEN") problems.push(e.message);
              else throw e;
            }
          }
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
