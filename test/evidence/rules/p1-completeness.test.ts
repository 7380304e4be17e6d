import { describe, expect, it } from "vitest";
import type { BranchReconciliation } from "../../../src/evidence/reconciliation.js";
import { p1Completeness } from "../../../src/evidence/rules/p1-completeness.js";

const branch = (over: Partial<BranchReconciliation> = {}): BranchReconciliation => ({
  repo: "acme/app",
  branch: "main",
  gitCount: 5,
  byPullRequests: 4,
  byPushes: 1,
  otherPeriods: 0,
  datedOutside: 0,
  dropped: 0,
  changes: 5,
  command:
    "git rev-list --first-parent --count --since-as-filter=2026-07-01T00:00:00Z --until=2026-09-30T23:59:59Z refs/heads/main",
  ...over,
});

const said = (gaps: string[], rec: BranchReconciliation[]) =>
  p1Completeness.evaluate({ gaps, reconciliation: rec }).map((f) => `${f.verdict} ${f.subject.id}: ${f.reason}`);

describe("P1 completeness", () => {
  it.each<[string, string[], BranchReconciliation[], string[]]>([
    [
      "every commit git counts is the period's changes: a pass",
      [],
      [branch()],
      [
        "pass acme/app:main: git counts 5 first-parent commits on acme/app:main in the period: 4 landed by merged pull requests, 1 by direct pushes (5 changes)",
      ],
    ],
    [
      "commits of other periods, dated outside, dropped: a note that says each",
      [],
      [branch({ gitCount: 6, otherPeriods: 1, datedOutside: 2, dropped: 1 })],
      [
        "note acme/app:main: git counts 6 first-parent commits on acme/app:main in the period: 4 landed by merged pull requests, 1 by direct pushes, 1 by changes of other periods; the population also holds 2 of its changes' commits dated outside the period and 1 dropped from the branch by a rewrite (5 changes)",
      ],
    ],
    [
      "each gap is an exception",
      ["acme/app: git not collected since 2026-08-01"],
      [],
      ["exception coverage: acme/app: git not collected since 2026-08-01"],
    ],
  ])("%s", (_name, gaps, rec, expected) => {
    expect(said(gaps, rec)).toEqual(expected);
  });

  it("gives the command to recount as evidence", () => {
    expect(p1Completeness.evaluate({ gaps: [], reconciliation: [branch()] })[0]?.evidence).toEqual([
      { label: "recount with", value: branch().command },
    ]);
  });
});
