import { missingBranch } from "../../collectors/git/collect.js";
import { defaultBranch, listBranchRefs, resolveBranch } from "../../collectors/git/refs.js";
import { git, openRepo } from "../../collectors/git/repo-source.js";
import { checkGitHub } from "../../collectors/github/check.js";
import { clientFromConfig } from "../../collectors/github/from-config.js";
import type { LoadedConfig, ResolvedRepo } from "../../config/load.js";
import { ConfigError, messageOf } from "../../errors/index.js";
import { silentLogger } from "../../log/logger.js";
import { displayUrl } from "../../util/redact.js";

/** Branch refs of a remote, as `ls-remote` lists them (refs/heads/<name> -> sha). */
async function remoteBranches(url: string): Promise<Map<string, string>> {
  const out = await (await git()).listRemote(["--heads", url]);
  const refs = new Map<string, string>();
  for (const line of out.split("\n")) {
    const [sha, ref] = line.split("\t");
    if (sha && ref) refs.set(ref, sha);
  }
  return refs;
}

/** Checks that one repository can be read and that its protected branches exist. */
async function checkRepo(r: ResolvedRepo, cacheDir: string, offline: boolean): Promise<string> {
  const what = `repo ${r.name}`;
  if (r.location.kind === "url" && offline) {
    return `repo ${r.name} (${r.role}): ${displayUrl(r.location.url)} (not contacted: --offline)`;
  }
  let refs: Map<string, string>;
  let where: string;
  let branches: readonly string[];
  if (r.location.kind === "path") {
    // Opening a local repository only reads it: the same check the collector makes.
    const opened = await openRepo(r, cacheDir, silentLogger);
    refs = await listBranchRefs(opened.gitDir, what);
    branches = r.protectedBranches ?? [await defaultBranch(opened.gitDir, what)];
    where = r.location.path;
  } else {
    const url = r.location.url;
    refs = await remoteBranches(url).catch(() => {
      throw new Error(`${what}: cannot reach ${displayUrl(url)}`);
    });
    branches = r.protectedBranches ?? [];
    where = `${displayUrl(url)} reachable`;
  }
  for (const b of branches) {
    if (!resolveBranch(refs, b)) throw missingBranch(what, b, refs.keys());
  }
  const shown = branches.length > 0 ? branches.join(", ") : "the default branch";
  return `repo ${r.name} (${r.role}): ${where}; protected: ${shown}`;
}

/**
 * Validates the config and that each repository and protected branch can be reached, without
 * collecting anything. Problems are listed together so one run of the check shows them all.
 */
export async function checkConfig(
  cfg: LoadedConfig,
  offline: boolean,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  const lines: string[] = [`${cfg.file}: valid`, `database: ${cfg.database}`, `output: ${cfg.output}`];
  const problems: string[] = [];
  for (const r of cfg.repos) {
    await checkRepo(r, cfg.cache, offline).then(
      (line) => lines.push(line),
      (e: unknown) => problems.push(messageOf(e)),
    );
  }
  if (cfg.github && offline) lines.push(`github: organisation ${cfg.github.org} (not contacted: --offline)`);
  if (cfg.github && !offline) {
    try {
      const gh = await checkGitHub(clientFromConfig(cfg.github, env, silentLogger), cfg.github, cfg.repos);
      lines.push(...gh.lines);
      problems.push(...gh.problems);
    } catch (e) {
      problems.push(messageOf(e));
    }
  }
  if (cfg.clusters?.length) {
    const { checkClusters } = await import("../../collectors/reconciler/check.js");
    const checked = await checkClusters(cfg.clusters, offline, env);
    lines.push(...checked.lines);
    problems.push(...checked.problems);
  }
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `${cfg.file}: ${p}`).join("\n"));
  return lines;
}
