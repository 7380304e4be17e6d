import { existsSync } from "node:fs";
import type https from "node:https";
import { homedir } from "node:os";
import path from "node:path";
import type { ClusterConfig } from "../../config/schema.js";
import { ClusterError, ConfigError, messageOf } from "../../errors/index.js";
import { registerSecret } from "../../util/redact.js";
import type { KubeAccess } from "./kube-client.js";

/**
 * The API server and credentials of a cluster entry, through @kubernetes/client-node's kubeconfig
 * loader: it knows every way a kubeconfig authenticates (tokens, client certificates, exec
 * plugins such as `aws eks get-token`, OIDC) and the in-cluster service account. It is loaded
 * only when a cluster is read from the Kubernetes API.
 */

const SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";

export async function kubeAccess(
  cluster: ClusterConfig,
  index: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<KubeAccess> {
  const source = cluster.kubernetes;
  if (!source) throw new Error("kubeAccess needs a kubernetes source");
  const field = `clusters[${index}].kubernetes`;
  const { KubeConfig } = await import("@kubernetes/client-node");
  const kc = new KubeConfig();
  let credentials: string;
  if (source.inCluster) {
    if (!env.KUBERNETES_SERVICE_HOST || !existsSync(path.join(SERVICE_ACCOUNT, "token"))) {
      throw new ConfigError(
        `${field}.inCluster: not running in a Kubernetes pod (no KUBERNETES_SERVICE_HOST or service account token)`,
      );
    }
    kc.loadFromCluster();
    credentials = "the pod's service account";
  } else {
    const file =
      source.kubeconfig ?? env.KUBECONFIG?.split(path.delimiter)[0] ?? path.join(homedir(), ".kube", "config");
    if (!existsSync(file)) {
      throw new ConfigError(`${field}.kubeconfig: ${file} does not exist`);
    }
    try {
      kc.loadFromFile(file);
    } catch (e) {
      throw new ConfigError(`${field}.kubeconfig: ${file} is not a readable kubeconfig: ${messageOf(e)}`, { cause: e });
    }
    if (source.context) {
      if (!kc.getContexts().some((c) => c.name === source.context)) {
        const known = kc
          .getContexts()
          .map((c) => c.name)
          .sort();
        throw new ConfigError(
          `${field}.context: ${file} has no context "${source.context}" (it has: ${known.join(", ") || "none"})`,
        );
      }
      kc.setCurrentContext(source.context);
    }
    credentials = `kubeconfig ${file}, context ${kc.getCurrentContext() || "(none)"}`;
  }
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new ConfigError(`${field}: the kubeconfig names no cluster server for its current context`);
  const opts: https.RequestOptions = {};
  try {
    await kc.applyToHTTPSOptions(opts);
  } catch (e) {
    throw new ClusterError(
      "E_CLUSTER_AUTH",
      `cluster ${cluster.name}: cannot get credentials from ${credentials}: ${messageOf(e)}`,
      { cause: e },
    );
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.headers ?? {})) {
    if (typeof v === "string") headers[k] = v;
  }
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === "authorization") registerSecret(v.replace(/^Bearer\s+/i, ""));
  }
  return {
    server,
    credentials,
    tls: {
      headers,
      ...(opts.ca ? { ca: opts.ca as string | Buffer } : {}),
      ...(opts.cert ? { cert: opts.cert as string | Buffer } : {}),
      ...(opts.key ? { key: opts.key as string | Buffer } : {}),
      ...(opts.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
    },
  };
}
