import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RepoFactory } from "../../src/demo/repo-factory.js";
import { ReconciliationTally } from "../../src/evidence/reconciliation.js";
import { parsePeriod } from "../../src/period.js";
import { tempDir } from "../helpers/tmp.js";

const carol = { name: "Carol", email: "carol@acme.example" };

describe("the population reconciliation's recount command", () => {
  it("counts every first-parent commit dated in the period, even behind a backdated one", () => {
    const repo = RepoFactory.init(path.join(tempDir(), "app"), {
      author: carol,
      start: new Date("2026-06-01T09:00:00Z"),
    });
    repo.commit("before the period", { files: { a: "0" }, at: new Date("2026-06-15T09:00:00Z") });
    for (const day of ["2026-07-02", "2026-08-03", "2026-09-04"]) {
      repo.commit(`in the period ${day}`, { files: { a: day }, at: new Date(`${day}T09:00:00Z`) });
    }
    // Pushed in September, dated in June: git's --since would stop the walk here.
    repo.commit("backdated", { files: { a: "late" }, at: new Date("2026-06-20T09:00:00Z") });
    const [r] = new ReconciliationTally().reconcile(
      [{ repo: "acme/app", branch: "main", sha: "x", removed: 0 }],
      parsePeriod("2026Q3"),
    );
    const [cmd = "", ...args] = (r?.command ?? "").split(" ");
    const counted = Number(execFileSync(cmd, ["-C", repo.dir, ...args], { encoding: "utf8" }).trim());
    expect(counted).toBe(3);
    const since = args.map((a) => a.replace("--since-as-filter", "--since"));
    expect(Number(execFileSync(cmd, ["-C", repo.dir, ...since], { encoding: "utf8" }).trim())).toBeLessThan(3);
  });
});
