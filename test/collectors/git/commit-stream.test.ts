import path from "node:path";
import { describe, expect, it } from "vitest";
import { CommitBatch, encodeBatch, F } from "../../../src/collectors/git/commit-batch.js";
import { commitBatches } from "../../../src/collectors/git/commit-stream.js";
import { parseRawCommit } from "../../../src/collectors/git/raw-commit.js";
import { generateHistory } from "../../../src/demo/repo-factory.js";
import { GitError } from "../../../src/errors/index.js";
import { tempDir } from "../../helpers/tmp.js";
import { git } from "./helpers.js";

describe("CommitBatch encoding", () => {
  it("round-trips every field, empty ones and non-ASCII included", () => {
    const a = parseRawCommit(
      `commit ${"a".repeat(40)}\ntree ${"b".repeat(40)}\nauthor Zoë <z@x> 5 +0100\ncommitter 山田 <y@x> 6 -0200\n\n    subject\n    \n    Co-authored-by: D <d@x>\n`,
    );
    const root = parseRawCommit(
      `commit ${"c".repeat(40)}\ntree ${"b".repeat(40)}\nauthor <> 0 +0000\ncommitter <> 0 +0000\n`,
    );
    const batch = CommitBatch.decode(encodeBatch([a, root]));
    expect(batch.count).toBe(2);
    expect(batch.sha(0)).toBe(a.sha);
    expect(batch.get(0, F.authorName)).toBe("Zoë");
    expect(batch.get(0, F.committerName)).toBe("山田");
    expect(batch.get(0, F.committerTz)).toBe("-0200");
    expect(batch.get(0, F.trailers)).toBe('[["Co-authored-by","D <d@x>"]]');
    expect(batch.firstParent(1)).toBe("");
    expect(batch.get(1, F.message)).toBe("");
    expect(batch.get(1, F.signature)).toBe("");
  });

  it("refuses a batch whose values do not make whole commits", () => {
    expect(() => CommitBatch.decode("a\0b")).toThrow(/not whole/);
  });
});

describe("commitBatches", () => {
  const dir = tempDir();
  const repo = path.join(dir, "h.git");

  it("delivers every commit once, in batches of the asked size", async () => {
    await generateHistory(repo, { commits: 2_300 });
    const seen = new Set<string>();
    const sizes: number[] = [];
    for await (const b of commitBatches(repo, ["main"], [], "repo h", 500)) {
      sizes.push(b.count);
      for (let i = 0; i < b.count; i++) seen.add(b.sha(i));
    }
    expect(seen.size).toBe(Number(git(repo, ["rev-list", "--count", "main"])));
    expect(sizes.slice(0, -1).every((s) => s === 500)).toBe(true);
  });

  it("stops git when the reader stops early, without hanging", async () => {
    let batchesRead = 0;
    for await (const b of commitBatches(repo, ["main"], [], "repo h", 100)) {
      expect(b.count).toBe(100);
      batchesRead++;
      if (batchesRead === 2) break;
    }
    expect(batchesRead).toBe(2);
    // The stream can be read again from the start: nothing was left half-consumed.
    let total = 0;
    for await (const b of commitBatches(repo, ["main"], [], "repo h", 1000)) total += b.count;
    expect(total).toBe(2_300);
  });

  it("turns git's own failure into a GitError naming the repository", async () => {
    const read = async (): Promise<void> => {
      for await (const _ of commitBatches(repo, ["no-such-branch"], [], "repo h", 100)) {
        // nothing arrives
      }
    };
    await expect(read()).rejects.toThrow(GitError);
    await expect(read()).rejects.toThrow(/^repo h: git log failed/);
  });
});
