import type { LoadedConfig } from "./load.js";

/**
 * The clusters a config names: its clusters section and the clusters its Flux v1 repositories
 * sync. Coverage expects each of them; an import from any other is refused.
 */
export function configuredClusters(cfg: LoadedConfig): Set<string> {
  return new Set([
    ...(cfg.clusters ?? []).map((c) => c.name),
    ...cfg.repos.flatMap((r) => (r.fluxV1 ? [r.fluxV1.cluster] : [])),
  ]);
}
