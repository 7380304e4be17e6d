import { createHash } from "node:crypto";
import { existsSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import type { SimpleGit } from "simple-git";
import type { ResolvedRepo } from "../../config/load.js";
import { GitError, messageOf } from "../../errors/index.js";
import type { Logger } from "../../log/logger.js";
import { displayUrl, redact } from "../../util/redact.js";
import { runGit, simpleGitEnv } from "./git-process.js";

/** What the collector reads: a git directory (bare mirror or a checkout's .git). */
export interface OpenedRepo {
  name: string;
  gitDir: string;
  /** How it was obtained, for the run record (no credentials). */
  origin: string;
}

/** simple-git for remote operations; loaded only when a URL repository needs it. */
export async function git(baseDir?: string): Promise<SimpleGit> {
  const { simpleGit } = await import("simple-git");
  // GIT_SSH_COMMAND and GIT_ASKPASS are the operator's (or our BatchMode default), not input.
  const g = simpleGit({
    ...(baseDir ? { baseDir } : {}),
    unsafe: { allowUnsafeSshCommand: true, allowUnsafeAskPass: true },
  });
  return g.env(simpleGitEnv);
}

function gitFailure(e: unknown): string {
  const text = redact(messageOf(e)).trim();
  const line = text.split("\n").find((l) => /fatal:|error:/.test(l)) ?? text.split("\n")[0] ?? "";
  return line.replace(/^(fatal|error):\s*/, "");
}

async function openLocal(repo: ResolvedRepo, dir: string): Promise<OpenedRepo> {
  if (!existsSync(dir)) {
    throw new GitError("E_REPO_MISSING", `repo ${repo.name}: path ${dir} does not exist`);
  }
  if (!statSync(dir).isDirectory()) {
    throw new GitError("E_REPO_NOT_GIT", `repo ${repo.name}: ${dir} is not a directory`);
  }
  const what = `repo ${repo.name}`;
  let gitDir: string;
  let top: string;
  try {
    const [gd, bare] = (await runGit({ cwd: dir }, ["rev-parse", "--absolute-git-dir", "--is-bare-repository"], what))
      .trim()
      .split("\n");
    gitDir = gd ?? "";
    // A bare repository has no work tree, and asking for its top level is an error.
    top = bare === "true" ? gitDir : (await runGit({ cwd: dir }, ["rev-parse", "--show-toplevel"], what)).trim();
  } catch (e) {
    const why = gitFailure(e);
    if (/not a git repository/i.test(why)) {
      throw new GitError("E_REPO_NOT_GIT", `repo ${repo.name}: ${dir} is not a git repository`, { cause: e });
    }
    throw new GitError("E_REPO_NOT_GIT", `repo ${repo.name}: cannot read ${dir} as a git repository: ${why}`, {
      cause: e,
    });
  }
  // A plain folder inside some other repository must not be taken for that repository.
  if (path.resolve(top) !== path.resolve(dir) && path.resolve(gitDir) !== path.resolve(dir)) {
    throw new GitError("E_REPO_NOT_GIT", `repo ${repo.name}: ${dir} is not a git repository (it lies inside ${top})`);
  }
  // git shows a shallow clone's oldest commit as a root: everything before it would be missing
  // from the evidence without a word.
  const shallow = (await runGit(gitDir, ["rev-parse", "--is-shallow-repository"], what)).trim();
  if (shallow === "true") {
    throw new GitError(
      "E_REPO_SHALLOW",
      `repo ${repo.name}: ${dir} is a shallow clone, so its history is incomplete; run \`git fetch --unshallow\` there, or give its URL as the source`,
    );
  }
  return { name: repo.name, gitDir, origin: dir };
}

/** The bare mirror's folder for a URL: stable, readable, and distinct per URL. */
export function mirrorDir(cacheDir: string, repo: ResolvedRepo, url: string): string {
  const h = createHash("sha256").update(url).digest("hex").slice(0, 12);
  return path.join(cacheDir, `${repo.name.replace(/[^A-Za-z0-9._-]+/g, "_")}-${h}.git`);
}

/**
 * Mirror only branches, tags and notes (a full `--mirror` of a GitHub repository also pulls every
 * refs/pull/*), with pruning, and never garbage-collect: a commit that a force push dropped is
 * evidence and must stay readable.
 */
const REFSPECS = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*", "+refs/notes/*:refs/notes/*"];

async function openUrl(repo: ResolvedRepo, url: string, cacheDir: string, log: Logger): Promise<OpenedRepo> {
  const dir = mirrorDir(cacheDir, repo, url);
  const shown = displayUrl(url);
  try {
    if (!existsSync(path.join(dir, "HEAD"))) {
      mkdirSync(dir, { recursive: true });
      log.info("cloning", { repo: repo.name, url: shown });
      const g = await git(dir);
      await g.raw(["init", "--bare", "--quiet"]);
      await g.raw(["config", "gc.auto", "0"]);
      await g.raw(["config", "remote.origin.url", url]);
      for (const spec of REFSPECS) await g.raw(["config", "--add", "remote.origin.fetch", spec]);
    } else {
      log.info("fetching", { repo: repo.name, url: shown });
    }
    const g = await git(dir);
    await g.raw(["config", "remote.origin.url", url]);
    await g.raw(["fetch", "--prune", "--quiet", "--no-write-fetch-head", "origin"]);
    // The remote's default branch becomes the mirror's HEAD, for repos with no protectedBranches.
    const symref = await g.raw(["ls-remote", "--symref", "origin", "HEAD"]);
    const head = /^ref: (refs\/heads\/\S+)\tHEAD$/m.exec(symref)?.[1];
    if (head) await g.raw(["symbolic-ref", "HEAD", head]);
  } catch (e) {
    throw new GitError("E_REPO_CLONE", `repo ${repo.name}: cannot fetch ${shown}: ${gitFailure(e)}`, { cause: e });
  }
  return { name: repo.name, gitDir: dir, origin: shown };
}

export async function openRepo(repo: ResolvedRepo, cacheDir: string, log: Logger): Promise<OpenedRepo> {
  return repo.location.kind === "path"
    ? openLocal(repo, repo.location.path)
    : openUrl(repo, repo.location.url, cacheDir, log);
}
