import { streamGit } from "./git-process.js";
import { type CommitRecord, parseRawCommit } from "./raw-commit.js";

/**
 * Streams the commits reachable from `include` and not from `exclude`, as git prints them.
 * Records are split on NUL (-z), which no commit message can contain, and each is decoded on
 * its own, so a multi-byte character split across chunks is never broken.
 */
export async function* rawLog(
  gitDir: string,
  include: readonly string[],
  exclude: readonly string[],
  what: string,
): AsyncGenerator<CommitRecord> {
  if (include.length === 0) return;
  const revs = [...include, ...exclude.map((s) => `^${s}`)].join("\n");
  const run = streamGit(gitDir, ["log", "--pretty=raw", "-z", "--no-color", "--stdin"], what, `${revs}\n`);
  let pending: Buffer[] = [];
  let finished = false;
  try {
    for await (const chunk of run.stdout as AsyncIterable<Buffer>) {
      let from = 0;
      for (;;) {
        const nul = chunk.indexOf(0, from);
        if (nul < 0) break;
        const piece = chunk.subarray(from, nul);
        const record = pending.length > 0 ? Buffer.concat([...pending, piece]) : piece;
        pending = [];
        yield parseRawCommit(record.toString("utf8"));
        from = nul + 1;
      }
      if (from < chunk.length) pending.push(chunk.subarray(from));
    }
    const rest = Buffer.concat(pending);
    if (rest.length > 0 && rest.toString("utf8").trim() !== "") yield parseRawCommit(rest.toString("utf8"));
    finished = true;
  } finally {
    // A reader that stopped early (or a parse failure) must not leave git blocked on a full pipe.
    if (!finished) await run.stop();
  }
  // Surfaces git's own failure (bad revision, corrupt object) after the stream ends.
  await run.done;
}
