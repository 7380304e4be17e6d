import path from "node:path";
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/store/db.js";
import { startRun } from "../../src/store/ledger.js";
import { baseForcePushesIn } from "../../src/store/report-queries.js";
import { tempDir } from "../helpers/tmp.js";

const dir = tempDir("changeproof-queries-");

describe("baseForcePushesIn", () => {
  it("lists the period's base-branch force pushes once each, with the pull request's base as the branch", () => {
    const db = openStore(path.join(dir, "store.db"));
    const run = startRun(db, { source: "github", scope: { repo: "acme/gitops" }, parameters: {} });
    db.prepare("INSERT INTO repos (id, name, role, source) VALUES (1, 'acme/gitops', 'gitops', '/g')").run();
    const pr = db.prepare(
      `INSERT INTO gh_pull_requests (repo_id, number, node_id, title, url, author_login, state, created_at, updated_at,
         base_ref, head_ref, head_oid, run_id) VALUES (1, ?, ?, 't', 'u', 'bob', 'OPEN', '2026-07-01', '2026-07-01', ?, 'h', 'x', ?)`,
    );
    pr.run(30, "PR_30", "main", run);
    pr.run(31, "PR_31", "main", run);
    pr.run(32, "PR_32", "release", run);
    const ev = db.prepare(
      `INSERT INTO gh_pr_events (repo_id, pr_number, node_id, kind, actor_login, created_at, before_oid, after_oid)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // The same push to main, on both pull requests' timelines.
    ev.run(30, "E1", "BaseRefForcePushedEvent", "mallory", "2026-08-02T09:50:00Z", "a".repeat(40), "b".repeat(40));
    ev.run(31, "E2", "BaseRefForcePushedEvent", "mallory", "2026-08-02T09:50:00Z", "a".repeat(40), "b".repeat(40));
    ev.run(32, "E3", "HeadRefForcePushedEvent", "bob", "2026-08-03T00:00:00Z", "c".repeat(40), "d".repeat(40));
    ev.run(32, "E4", "BaseRefForcePushedEvent", null, "2026-10-05T00:00:00Z", "e".repeat(40), "f".repeat(40));
    expect(baseForcePushesIn(db, "2026-07-01T00:00:00.000Z", "2026-10-01T00:00:00.000Z")).toEqual([
      {
        repo: "acme/gitops",
        branch: "main",
        actor: "mallory",
        at: "2026-08-02T09:50:00Z",
        before: "a".repeat(40),
        after: "b".repeat(40),
        pullRequest: 30,
      },
    ]);
    expect(baseForcePushesIn(db, "2026-10-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z")).toMatchObject([
      { branch: "release", actor: null, pullRequest: 32 },
    ]);
    db.close();
  });
});
