import { readFileSync } from "node:fs";
import { z } from "zod";
import type { ClusterConfig } from "../../config/schema.js";
import { ClusterError, ConfigError, messageOf } from "../../errors/index.js";
import type { Logger } from "../../log/logger.js";
import { append } from "../../util/append.js";
import { registerSecret } from "../../util/redact.js";
import { getJsonRetrying } from "./http-json.js";
import { statusText } from "./kube-client.js";

/**
 * Applications from Argo CD's own API (docs/reference/reconcilers.md §1.7): one GET of
 * /api/v1/applications with a bearer token, filtered by project. Never `refresh`: that would make
 * Argo CD reconcile, and a collector must not change what it observes.
 */

const listSchema = z.looseObject({ items: z.array(z.unknown()).nullable().optional() });

export interface ArgoApiRead {
  items: unknown[];
  requests: number;
  retries: number;
  endpoint: string;
}

export async function listArgoApplications(
  cluster: ClusterConfig,
  index: number,
  env: NodeJS.ProcessEnv,
  o: { log: Logger; retryBaseMs?: number },
): Promise<ArgoApiRead> {
  const api = cluster.argocdApi;
  if (!api) throw new Error("listArgoApplications needs an argocdApi source");
  const token = env[api.tokenEnv];
  if (!token) {
    throw new ConfigError(
      `clusters[${index}].argocdApi.tokenEnv: $${api.tokenEnv} is not set (an Argo CD API token: argocd account generate-token)`,
    );
  }
  registerSecret(token);
  let ca: string | undefined;
  if (api.caFile) {
    try {
      ca = readFileSync(api.caFile, "utf8");
    } catch (e) {
      throw new ConfigError(`clusters[${index}].argocdApi.caFile: cannot read ${api.caFile}: ${messageOf(e)}`);
    }
  }
  const url = new URL("api/v1/applications", api.url.endsWith("/") ? api.url : `${api.url}/`);
  for (const p of api.projects ?? []) url.searchParams.append("projects", p);
  // Apps in any namespace: the API takes one appNamespace per request.
  const urls = (cluster.namespaces ?? [undefined]).map((ns) => {
    const u = new URL(url);
    if (ns) u.searchParams.set("appNamespace", ns);
    return u;
  });
  const read: ArgoApiRead = { items: [], requests: 0, retries: 0, endpoint: url.origin + url.pathname };
  const what = `cluster ${cluster.name}: Argo CD at ${url.origin}`;
  for (const u of urls) {
    const answer = await getJsonRetrying(
      u,
      { headers: { authorization: `Bearer ${token}` }, ...(ca ? { ca } : {}) },
      {
        what: `${what}: listing applications`,
        timeoutMs: cluster.timeoutSeconds * 1000,
        maxRetries: cluster.maxRetries,
        retryBaseMs: o.retryBaseMs ?? 1000,
        onAttempt: () => read.requests++,
        onRetry: (failure, attempt) => {
          read.retries++;
          o.log.debug("retrying", { cluster: cluster.name, failure, attempt });
        },
      },
    );
    if (answer.status === 401) {
      throw new ClusterError(
        "E_CLUSTER_AUTH",
        `${what} refused the token in $${api.tokenEnv} (401${statusText(answer)})`,
      );
    }
    if (answer.status === 403) {
      throw new ClusterError(
        "E_CLUSTER_FORBIDDEN",
        `${what}: the token in $${api.tokenEnv} may not list applications (403${statusText(answer)})`,
      );
    }
    if (answer.status !== 200) {
      throw new ClusterError(
        "E_CLUSTER_RESPONSE",
        `${what}: listing applications answered HTTP ${answer.status}${statusText(answer)}`,
      );
    }
    const list = listSchema.safeParse(answer.json);
    if (!list.success) {
      throw new ClusterError("E_CLUSTER_RESPONSE", `${what}: the answer is not an application list`);
    }
    append(read.items, list.data.items ?? []);
  }
  return read;
}
