import { lines } from "../../util/batches.js";
import { streamGit } from "./git-process.js";

/** The first-parent chain of `tip`, newest first, stopping at `since` (exclusive) if given. */
export async function* firstParentChain(
  gitDir: string,
  tip: string,
  since: string | undefined,
  what: string,
): AsyncGenerator<string> {
  const run = streamGit(
    gitDir,
    ["rev-list", "--first-parent", "--stdin"],
    what,
    `${tip}\n${since ? `^${since}\n` : ""}`,
  );
  let finished = false;
  try {
    for await (const line of lines(run.stdout as AsyncIterable<Buffer>)) {
      if (line) yield line;
    }
    finished = true;
  } finally {
    if (!finished) await run.stop();
  }
  await run.done;
}
