import { createInterface } from "node:readline";
import type { DB } from "../../store/db.js";
import { recordImageRefs, unscannedImageCommits } from "../../store/git-store.js";
import { streamGit } from "./git-process.js";
import { type ImageRef, imageRefsOfDiff, imageRefsOfMessage, MAX_REFS_PER_COMMIT } from "./image-refs.js";

/** Commits diffed per git process. */
const SCAN_BATCH = 2000;
/** A commit's diff beyond this is not read further: a vendored chart is not an image bump. */
const MAX_DIFF_BYTES = 1 << 20;

/**
 * Reads the image references of every GitOps commit the store holds and has not read yet (SPEC
 * C12): the added lines of its diff against its first parent (`git diff-tree -p`; a merge's is what
 * its branch brought, whose own commits a protected-branch harvest may not hold) and its message. Each batch is written with its
 * commits marked read, so an interrupted run resumes where it stopped.
 */
export async function scanImageRefs(
  db: DB,
  gitDir: string,
  repoId: number,
  runId: number,
  what: string,
): Promise<{ commits: number; refs: number }> {
  let after = 0;
  let commits = 0;
  let refs = 0;
  for (;;) {
    const batch = unscannedImageCommits(db, repoId, after, SCAN_BATCH);
    const last = batch.at(-1);
    if (!last) break;
    after = last.id;
    const diffs = await diffsOf(
      gitDir,
      batch.map((c) => c.sha),
      what,
    );
    const found = batch.map((c) => {
      const all = [...imageRefsOfDiff(diffs.get(c.sha) ?? ""), ...imageRefsOfMessage(c.message)];
      return { sha: c.sha, refs: all.slice(0, MAX_REFS_PER_COMMIT) as ImageRef[] };
    });
    refs += recordImageRefs(db, repoId, runId, found);
    commits += batch.length;
  }
  return { commits, refs };
}

/** Each commit's patch against its first parent, capped per commit. */
async function diffsOf(gitDir: string, shas: readonly string[], what: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (shas.length === 0) return out;
  const run = streamGit(
    gitDir,
    [
      "diff-tree",
      "--stdin",
      "-r",
      "-p",
      "-U3",
      "--diff-merges=first-parent",
      "--no-color",
      "--no-renames",
      "--no-ext-diff",
      "--no-textconv",
    ],
    what,
    `${shas.join("\n")}\n`,
  );
  const wanted = new Set(shas);
  let current: string | null = null;
  let size = 0;
  let parts: string[] = [];
  const flush = () => {
    if (current) out.set(current, parts.join("\n"));
    parts = [];
    size = 0;
  };
  // --stdin prints each commit's id on a line of its own before its patch.
  for await (const line of createInterface({ input: run.stdout, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(line) && wanted.has(line)) {
      flush();
      current = line;
      continue;
    }
    if (current === null || size > MAX_DIFF_BYTES) continue;
    size += line.length + 1;
    parts.push(line);
  }
  flush();
  await run.done;
  return out;
}
