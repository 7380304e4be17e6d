import { existsSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { type StageEvent, stageCommits } from "../../../src/collectors/git/commit-stream.js";
import { generateHistory } from "../../../src/demo/repo-factory.js";
import { GitError } from "../../../src/errors/index.js";
import { initStage } from "../../../src/store/stage-schema.js";
import { tempDir } from "../../helpers/tmp.js";
import { git } from "./helpers.js";

describe("stageCommits", () => {
  const dir = tempDir();
  const repo = path.join(dir, "h.git");
  let n = 0;
  const stageFile = (): string => path.join(dir, `stage-${n++}.db`);

  async function read(file: string, include: string[], batchSize: number, stopAfter?: number): Promise<StageEvent[]> {
    const events: StageEvent[] = [];
    if (!existsSync(file)) initStage(file);
    const tip = git(repo, ["rev-parse", "main"]);
    for await (const ev of stageCommits({
      gitDir: repo,
      include,
      exclude: [],
      what: "repo h",
      batchSize,
      stageFile: file,
      branches: [{ branch: "main", tip, stop: "" }],
    })) {
      events.push(ev);
      if (stopAfter !== undefined && events.length >= stopAfter) break;
    }
    return events;
  }

  it("stages every commit once, in batches, and follows the first-parent chain as it goes", async () => {
    await generateHistory(repo, { commits: 2_300 });
    const file = stageFile();
    const events = await read(file, ["main"], 500);
    const staged = events.filter((e) => e.kind === "staged");
    expect(staged.map((e) => e.count)).toEqual([500, 500, 500, 500, 300]);
    expect(staged.at(-1)).toMatchObject({ upto: 2_300 });
    expect(events.at(-1)).toEqual({ kind: "done", complete: { main: true } });
    const db = new Database(file, { readonly: true });
    const shas = db.prepare("SELECT sha FROM rows").all() as { sha: string }[];
    expect(new Set(shas.map((r) => r.sha)).size).toBe(Number(git(repo, ["rev-list", "--count", "main"])));
    const onMain = (db.prepare("SELECT count(*) AS n FROM rows WHERE fp_branches IS NOT NULL").get() as { n: number })
      .n;
    expect(onMain).toBe(Number(git(repo, ["rev-list", "--count", "--first-parent", "main"])));
    db.close();
  });

  it("stops git when the reader stops early, without hanging", async () => {
    const events = await read(stageFile(), ["main"], 100, 2);
    expect(events.map((e) => e.kind)).toEqual(["staged", "staged"]);
    // The stream can be read again from the start: nothing was left half-consumed.
    const again = await read(stageFile(), ["main"], 1000);
    expect(again.filter((e) => e.kind === "staged").reduce((t, e) => t + (e.kind === "staged" ? e.count : 0), 0)).toBe(
      2_300,
    );
  });

  it("turns git's own failure into a GitError naming the repository", async () => {
    const file = stageFile();
    await expect(read(file, ["no-such-branch"], 100)).rejects.toThrow(GitError);
    await expect(read(stageFile(), ["no-such-branch"], 100)).rejects.toThrow(/^repo h: git log failed/);
    expect(existsSync(file)).toBe(true);
  });
});
