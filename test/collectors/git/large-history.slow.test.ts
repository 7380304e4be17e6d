import { writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import { generateHistory } from "../../../src/demo/repo-factory.js";
import { openStore } from "../../../src/store/db.js";
import { runCli } from "../../helpers/cli.js";
import { tempDir } from "../../helpers/tmp.js";
import { collect, git, repoEntry } from "./helpers.js";

/** A 12,000-commit history with merges: what `git rev-list` counts is what the store holds. */
describe("a large generated history", () => {
  const dir = tempDir();
  const repoDir = path.join(dir, "big.git");
  beforeAll(async () => {
    await generateHistory(repoDir, { commits: 12_000, mergeEvery: 4 });
  });

  it("stores every commit and the whole first-parent chain, in batches across several merges", async () => {
    const db = openStore(path.join(dir, "big.db"));
    const r = await collect(db, repoEntry(dir, repoDir), path.join(dir, "cache"));
    const count = Number(git(repoDir, ["rev-list", "--count", "main"]));
    expect(count).toBeGreaterThanOrEqual(10_000);
    expect(r.commitsAdded).toBe(count);
    expect((db.prepare("SELECT count(*) AS n FROM commits").get() as { n: number }).n).toBe(count);
    const fp = Number(git(repoDir, ["rev-list", "--count", "--first-parent", "main"]));
    expect((db.prepare("SELECT count(*) AS n FROM branch_commits").get() as { n: number }).n).toBe(fp);
    const withTrailers = (
      db.prepare("SELECT count(*) AS n FROM commits WHERE trailers IS NOT NULL").get() as { n: number }
    ).n;
    // Every generated commit but the merge commits carries a trailer.
    expect(withTrailers).toBe(count - Number(git(repoDir, ["rev-list", "--count", "--merges", "main"])));
    const again = await collect(db, repoEntry(dir, repoDir), path.join(dir, "cache"));
    expect(again.commitsRead).toBe(0);
    db.close();
  });

  it("stores the same through the built CLI, where git is read on a worker thread", () => {
    const cfg = path.join(dir, "cli.yaml");
    writeFileSync(
      cfg,
      `database: cli.db\nrepos:\n  - name: big/repo\n    source: ${JSON.stringify(repoDir)}\n    role: app\n`,
    );
    const r = runCli(["collect", "-c", cfg, "-q"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const count = Number(git(repoDir, ["rev-list", "--count", "main"]));
    expect(r.stdout).toContain(`big/repo: run 1 ok, ${count} new commits (${count} read)`);
    const db = new Database(path.join(dir, "cli.db"), { readonly: true });
    const fp = Number(git(repoDir, ["rev-list", "--count", "--first-parent", "main"]));
    expect((db.prepare("SELECT count(*) AS n FROM commits").get() as { n: number }).n).toBe(count);
    expect((db.prepare("SELECT count(*) AS n FROM branch_commits").get() as { n: number }).n).toBe(fp);
    db.close();
  });
});
