import { execFileSync } from "node:child_process";
import path from "node:path";
import { collectGitRepo, type GitCollectResult } from "../../../src/collectors/git/collect.js";
import { parseConfig, type ResolvedRepo } from "../../../src/config/load.js";
import { silentLogger } from "../../../src/log/logger.js";
import type { DB } from "../../../src/store/db.js";

/** A repo entry as a user would write it in YAML, resolved like the CLI does. */
export function repoEntry(dir: string, source: string, extra = ""): ResolvedRepo {
  const cfg = parseConfig(
    `repos:\n  - name: acme/test\n    source: ${JSON.stringify(source)}\n    role: gitops\n${extra}`,
    path.join(dir, "changeproof.yaml"),
  );
  const repo = cfg.repos[0];
  if (!repo) throw new Error("no repo in config");
  return repo;
}

export function collect(db: DB, repo: ResolvedRepo, cacheDir: string): Promise<GitCollectResult> {
  return collectGitRepo(db, repo, { cacheDir, log: silentLogger });
}

export function git(dir: string, args: string[]): string {
  return execFileSync("git", args, { cwd: dir, encoding: "utf8" }).trim();
}

export function storedShas(db: DB): Set<string> {
  return new Set((db.prepare("SELECT sha FROM commits").all() as { sha: string }[]).map((r) => r.sha));
}

export function members(db: DB, branch = "main"): Set<string> {
  return new Set(
    (
      db.prepare("SELECT sha FROM branch_commits WHERE branch = ? AND removed_run IS NULL").all(branch) as {
        sha: string;
      }[]
    ).map((r) => r.sha),
  );
}
