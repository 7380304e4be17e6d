import { createInterface } from "node:readline";
import type { DB } from "../../store/db.js";
import { recordImageRefs, unscannedImageCommits } from "../../store/git-store.js";
import { streamGit } from "./git-process.js";
import { type ImageRef, imageRefsOfMessage, MAX_REFS_PER_COMMIT, readDiff } from "./image-refs.js";

/** Commits diffed per git process (their diffs, up to MAX_DIFF_BYTES each, are held at once). */
const SCAN_BATCH = 200;
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
      const diff = diffs.get(c.sha);
      const reading = readDiff(diff?.text ?? "", diff?.cut ?? false);
      const refs: ImageRef[] = [...reading.refs, ...imageRefsOfMessage(c.message)].slice(0, MAX_REFS_PER_COMMIT);
      return {
        sha: c.sha,
        refs,
        otherLines: reading.otherLines,
        unreadable: reading.unreadable,
        truncated: reading.truncated,
      };
    });
    refs += recordImageRefs(db, repoId, runId, found);
    commits += batch.length;
  }
  return { commits, refs };
}

/** Each commit's patch against its first parent (a root commit's against nothing), capped per commit. */
async function diffsOf(
  gitDir: string,
  shas: readonly string[],
  what: string,
): Promise<Map<string, { text: string; cut: boolean }>> {
  const out = new Map<string, { text: string; cut: boolean }>();
  if (shas.length === 0) return out;
  const run = streamGit(
    gitDir,
    [
      "diff-tree",
      "--stdin",
      "--root",
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
  let cut = false;
  let parts: string[] = [];
  const flush = () => {
    if (current) out.set(current, { text: parts.join("\n"), cut });
    parts = [];
    size = 0;
    cut = false;
  };
  // --stdin prints each commit's id on a line of its own before its patch.
  for await (const line of createInterface({ input: run.stdout, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(line) && wanted.has(line)) {
      flush();
      current = line;
      continue;
    }
    if (current === null) continue;
    size += line.length + 1;
    if (size > MAX_DIFF_BYTES) {
      cut = true;
      continue;
    }
    parts.push(line.length > 4096 ? line.slice(0, 4096) : line);
  }
  flush();
  await run.done;
  return out;
}
