import { git, openRepo } from "../../collectors/git/repo-source.js";
import type { LoadedConfig } from "../../config/load.js";
import { ConfigError, messageOf } from "../../errors/index.js";
import { silentLogger } from "../../log/logger.js";
import { displayUrl } from "../../util/redact.js";

/**
 * Validates the config and that each repository can be reached, without collecting anything.
 * Problems are listed together so one run of the check shows them all.
 */
export async function checkConfig(cfg: LoadedConfig, offline: boolean): Promise<string[]> {
  const lines: string[] = [`${cfg.file}: valid`, `database: ${cfg.database}`, `output: ${cfg.output}`];
  const problems: string[] = [];
  for (const r of cfg.repos) {
    if (r.location.kind === "path") {
      // Opening a local repository only reads it: the same check the collector makes.
      await openRepo(r, cfg.cache, silentLogger).then(
        () => lines.push(`repo ${r.name} (${r.role}): ${r.location.kind === "path" ? r.location.path : ""}`),
        (e: unknown) => problems.push(messageOf(e)),
      );
    } else if (offline) {
      lines.push(`repo ${r.name} (${r.role}): ${displayUrl(r.location.url)} (not contacted: --offline)`);
    } else {
      const url = r.location.url;
      await (await git()).listRemote(["--heads", url]).then(
        () => lines.push(`repo ${r.name} (${r.role}): ${displayUrl(url)} reachable`),
        () => problems.push(`repo ${r.name}: cannot reach ${displayUrl(url)}`),
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `${cfg.file}: ${p}`).join("\n"));
  return lines;
}
