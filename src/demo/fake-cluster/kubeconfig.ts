import { writeFileSync } from "node:fs";
import { stringify } from "yaml";

/** A kubeconfig file for a fake API server: one cluster, one bearer-token user, one context. */
export function writeKubeconfig(file: string, o: { server: string; token: string; context?: string }): void {
  const context = o.context ?? "fake";
  writeFileSync(
    file,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      // client-node refuses a plain-http server unless told TLS is not verified; the fakes are
      // plain http on loopback.
      clusters: [{ name: context, cluster: { server: o.server, "insecure-skip-tls-verify": true } }],
      users: [{ name: `${context}-user`, user: { token: o.token } }],
      contexts: [{ name: context, context: { cluster: context, user: `${context}-user` } }],
      "current-context": context,
    }),
    { mode: 0o600 },
  );
}
