import { streamGit } from "./git-process.js";
import { type CommitRecord, parseRawCommit } from "./raw-commit.js";

/**
 * Streams the commits reachable from `include` and not from `exclude`, as git prints them.
 * Records are split on NUL (-z), which no commit message can contain, and each is decoded on
 * whole, so a multi-byte character split across chunks is never broken.
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
      const last = chunk.lastIndexOf(0);
      if (last < 0) {
        pending.push(chunk);
        continue;
      }
      // One decode per chunk: NUL never occurs inside a UTF-8 sequence, so splitting the decoded
      // text on it cuts exactly where the bytes would.
      const head = chunk.subarray(0, last);
      const text = (pending.length > 0 ? Buffer.concat([...pending, head]) : head).toString("utf8");
      pending = last + 1 < chunk.length ? [chunk.subarray(last + 1)] : [];
      for (const record of text.split("\0")) yield parseRawCommit(record);
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
