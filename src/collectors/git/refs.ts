import { GitError } from "../../errors/index.js";
import { runGit } from "./git-process.js";

export interface RefTip {
  ref: string;
  sha: string;
}

/** Branch refs (local and remote-tracking) with the commit each points to (tags peeled). */
export async function listBranchRefs(gitDir: string, what: string): Promise<Map<string, string>> {
  const out = await runGit(
    gitDir,
    ["for-each-ref", "--format=%(objectname) %(*objectname) %(refname)", "refs/heads", "refs/remotes"],
    what,
  );
  const refs = new Map<string, string>();
  for (const line of out.split("\n")) {
    if (!line) continue;
    const [obj, peeled, ref] = line.split(" ");
    if (!obj || ref === undefined) continue;
    if (ref.endsWith("/HEAD")) continue;
    refs.set(ref, peeled || obj);
  }
  return refs;
}

/** Tags with the commit each names (annotated tags peeled); tags of other objects are left out. */
export async function listTags(gitDir: string, what: string): Promise<Map<string, string>> {
  const out = await runGit(
    gitDir,
    ["for-each-ref", "--format=%(objectname) %(objecttype) %(*objectname) %(*objecttype) %(refname)", "refs/tags"],
    what,
  );
  const tags = new Map<string, string>();
  for (const line of out.split("\n")) {
    const [obj, type, peeled, peeledType, ref] = line.split(" ");
    if (!obj || !ref?.startsWith("refs/tags/")) continue;
    const sha = type === "commit" ? obj : peeledType === "commit" ? peeled : undefined;
    const name = ref.slice("refs/tags/".length);
    if (sha && name.length <= 255) tags.set(name, sha);
  }
  return tags;
}

/** The default branch: the remote's HEAD for a checkout that has one, else this repository's HEAD. */
export async function defaultBranch(gitDir: string, what: string): Promise<string> {
  for (const ref of ["refs/remotes/origin/HEAD", "HEAD"]) {
    const out = await runGit(gitDir, ["symbolic-ref", "--quiet", ref], what).catch(() => "");
    const target = out.trim();
    if (target.startsWith("refs/heads/")) return target.slice("refs/heads/".length);
    if (target.startsWith("refs/remotes/origin/")) return target.slice("refs/remotes/origin/".length);
  }
  throw new GitError(
    "E_REPO_NO_DEFAULT",
    `${what}: cannot tell the default branch; set protectedBranches in the config`,
  );
}

/** The ref a configured branch name stands for: the local branch, else origin's. */
export function resolveBranch(refs: Map<string, string>, branch: string): RefTip | undefined {
  for (const ref of [`refs/heads/${branch}`, `refs/remotes/origin/${branch}`]) {
    const sha = refs.get(ref);
    if (sha) return { ref, sha };
  }
  return undefined;
}

/** Which of these object ids exist in the repository (an old tip may have been pruned). */
export async function existingObjects(gitDir: string, shas: readonly string[], what: string): Promise<Set<string>> {
  if (shas.length === 0) return new Set();
  const out = await runGit(
    gitDir,
    ["cat-file", "--batch-check=%(objectname) %(objecttype)"],
    what,
    `${shas.join("\n")}\n`,
  );
  const found = new Set<string>();
  for (const line of out.split("\n")) {
    const [sha, type] = line.split(" ");
    if (sha && type === "commit") found.add(sha);
  }
  return found;
}
