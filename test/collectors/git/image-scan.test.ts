import path from "node:path";
import { describe, expect, it } from "vitest";
import { RepoFactory } from "../../../src/demo/repo-factory.js";
import { openStore } from "../../../src/store/db.js";
import { tempDir } from "../../helpers/tmp.js";
import { collect, git, repoEntry } from "./helpers.js";

const carol = { name: "Carol", email: "carol@acme.example" };
const bot = { name: "flux-image-automation", email: "fluxcdbot@users.noreply.github.com" };

interface RefRow {
  sha: string;
  image: string | null;
  tag: string | null;
  source: string;
  file: string | null;
}

const refRows = (db: ReturnType<typeof openStore>): RefRow[] =>
  db.prepare("SELECT sha, image, tag, source, file FROM commit_image_refs ORDER BY sha, seq").all() as RefRow[];

describe("image references of a GitOps repository's commits (C12's data)", () => {
  it("reads what each commit writes once, a merge against its first parent, and records tags peeled to commits", async () => {
    const dir = tempDir();
    const g = RepoFactory.init(path.join(dir, "gitops"), { author: carol, start: new Date("2026-07-01T00:00:00Z") });
    g.commit("bootstrap", { files: { "apps/deployment.yaml": "spec:\n  image: ghcr.io/acme/app:1.0.0\n" } });
    const automated = g.commit("Automated image update\n\nImages:\n- ghcr.io/acme/app:sha-1a2b3c4\n", {
      author: bot,
      files: { "apps/deployment.yaml": "spec:\n  image: ghcr.io/acme/app:sha-1a2b3c4\n" },
    });
    g.checkout("bump", { create: true });
    const branchCommit = g.commit("worker 2.0", {
      files: { "apps/worker.yaml": "image: ghcr.io/acme/worker:2.0.0\n" },
    });
    g.checkout("main");
    const merge = g.mergeCommit("bump", "Merge pull request #2 from acme/bump");
    git(g.dir, ["tag", "light", automated]);
    git(g.dir, [
      "-c",
      `user.name=${carol.name}`,
      "-c",
      `user.email=${carol.email}`,
      "tag",
      "-a",
      "v1.0",
      "-m",
      "release",
      merge,
    ]);

    const db = openStore(path.join(dir, "s.db"));
    const first = await collect(db, repoEntry(dir, g.dir), path.join(dir, "cache"));
    expect(first.imageCommitsRead).toBe(4);
    const rows = refRows(db);
    const of = (sha: string) => rows.filter((r) => r.sha === sha).map((r) => [r.source, r.image, r.tag, r.file]);
    expect(of(automated)).toEqual([
      ["diff", "ghcr.io/acme/app", "sha-1a2b3c4", "apps/deployment.yaml"],
      ["message", "ghcr.io/acme/app", "sha-1a2b3c4", null],
    ]);
    expect(of(branchCommit)).toEqual([["diff", "ghcr.io/acme/worker", "2.0.0", "apps/worker.yaml"]]);
    // A merge writes what its branch brought (a protected-branch harvest may not hold the branch's commits).
    expect(of(merge)).toEqual([["diff", "ghcr.io/acme/worker", "2.0.0", "apps/worker.yaml"]]);
    expect((db.prepare("SELECT count(*) AS n FROM commit_image_scans").get() as { n: number }).n).toBe(4);
    expect(db.prepare("SELECT name, sha FROM git_tags ORDER BY name").all()).toEqual([
      { name: "light", sha: automated },
      { name: "v1.0", sha: merge },
    ]);

    // The next run reads only what is new.
    const next = g.commit("Automated image update", {
      author: bot,
      files: { "apps/deployment.yaml": "spec:\n  image: ghcr.io/acme/app:sha-5e6f7a8\n" },
    });
    const second = await collect(db, repoEntry(dir, g.dir), path.join(dir, "cache"));
    expect(second.imageCommitsRead).toBe(1);
    expect(of(next)).toEqual([]);
    expect(
      refRows(db)
        .filter((r) => r.sha === next)
        .map((r) => r.tag),
    ).toEqual(["sha-5e6f7a8"]);
    db.close();
  });

  it("leaves an application repository's diffs unread", async () => {
    const dir = tempDir();
    const app = RepoFactory.init(path.join(dir, "app"), { author: carol, start: new Date("2026-07-01T00:00:00Z") });
    app.commit("init", { files: { "deploy.yaml": "image: ghcr.io/acme/app:1.0.0\n" } });
    const db = openStore(path.join(dir, "s.db"));
    const r = await collect(db, { ...repoEntry(dir, app.dir), role: "app" }, path.join(dir, "cache"));
    expect(r.imageCommitsRead).toBe(0);
    expect(refRows(db)).toEqual([]);
    db.close();
  });
});
