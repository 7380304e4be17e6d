import { describe, expect, it } from "vitest";
import { changeLog, claimedPullRequest, rewrites, toChange } from "../../src/evidence/change-log.js";
import type { BranchCommitRow, RewriteRow, TrailerRow } from "../../src/store/report-queries.js";

const sha = (c: string): string => c.repeat(40).slice(0, 40);
const T = Date.parse("2026-07-10T12:00:00Z") / 1000;

function row(over: Partial<BranchCommitRow> & { sha: string }): BranchCommitRow {
  return {
    repo: "acme/app",
    branch: "main",
    parents: sha("0"),
    author_name: "Alice",
    author_email: "alice@acme.example",
    author_time: T,
    committer_name: "Alice",
    committer_email: "alice@acme.example",
    committer_time: T,
    subject: "a change",
    signature: null,
    first_seen_at: "2026-07-11T00:00:00.000Z",
    first_seen_run: 1,
    removed_at: null,
    removed_run: null,
    ...over,
  };
}

describe("claimedPullRequest", () => {
  it("reads GitHub's merge subject for a merge commit", () => {
    expect(claimedPullRequest("merge", "Merge pull request #12 from acme/feature")).toBe(12);
    expect(claimedPullRequest("merge", "Merge pull request #4031 from fork/x")).toBe(4031);
  });

  it("reads a trailing (#N) only on a single-parent commit", () => {
    expect(claimedPullRequest("single-parent", "Add idempotency keys (#7)")).toBe(7);
    expect(claimedPullRequest("single-parent", "Add idempotency keys (#7)  ")).toBe(7);
    expect(claimedPullRequest("single-parent", "Revert (#7) and retry")).toBeNull();
    expect(claimedPullRequest("single-parent", "Add idempotency keys #7")).toBeNull();
    expect(claimedPullRequest("single-parent", "Add idempotency keys")).toBeNull();
  });

  it("does not take a merge commit's (#N) as a claim, nor a single-parent commit's merge subject", () => {
    expect(claimedPullRequest("merge", "Merge branch 'hotfix' into main (#7)")).toBeNull();
    expect(claimedPullRequest("merge", "Merge remote-tracking branch 'origin/main'")).toBeNull();
    expect(claimedPullRequest("merge", "Revert Merge pull request #12 from acme/feature")).toBeNull();
    expect(claimedPullRequest("single-parent", "Merge pull request #12 from acme/feature")).toBeNull();
  });

  it("needs a whole number after #", () => {
    expect(claimedPullRequest("merge", "Merge pull request #12abc from acme/x")).toBeNull();
    expect(claimedPullRequest("single-parent", "Fix (#)")).toBeNull();
    expect(claimedPullRequest("single-parent", "Fix (#1a)")).toBeNull();
  });
});

describe("toChange", () => {
  it("classifies two or more parents as a merge and one (or none) as single-parent", () => {
    expect(toChange(row({ sha: sha("a"), parents: `${sha("1")} ${sha("2")}` }), []).kind).toBe("merge");
    expect(toChange(row({ sha: sha("a"), parents: `${sha("1")} ${sha("2")} ${sha("3")}` }), []).kind).toBe("merge");
    expect(toChange(row({ sha: sha("a"), parents: sha("1") }), []).kind).toBe("single-parent");
    expect(toChange(row({ sha: sha("a"), parents: "" }), []).kind).toBe("single-parent");
  });

  it("keeps identities, converts times to UTC ISO and records the claim", () => {
    const c = toChange(
      row({
        sha: sha("b"),
        parents: `${sha("1")} ${sha("2")}`,
        subject: "Merge pull request #12 from acme/feature",
        author_name: "Bob",
        author_email: "bob@acme.example",
        author_time: T - 3600,
        committer_name: "GitHub",
        committer_email: "noreply@github.com",
        signature: "gpg",
        removed_at: "2026-08-01T00:00:00.000Z",
        removed_run: 4,
      }),
      [],
    );
    expect(c).toEqual({
      repo: "acme/app",
      branch: "main",
      sha: sha("b"),
      kind: "merge",
      subject: "Merge pull request #12 from acme/feature",
      author: { name: "Bob", email: "bob@acme.example" },
      authoredAt: "2026-07-10T11:00:00.000Z",
      committer: { name: "GitHub", email: "noreply@github.com" },
      committedAt: "2026-07-10T12:00:00.000Z",
      firstSeenAt: "2026-07-11T00:00:00.000Z",
      firstSeenRun: 1,
      coAuthors: [],
      signedOffBy: [],
      signature: "gpg",
      claimedPullRequest: 12,
      removedAt: "2026-08-01T00:00:00.000Z",
      removedRun: 4,
    });
  });

  it("takes co-authors and sign-offs from this commit's trailers only, any key case", () => {
    const mine = sha("c");
    const trailers: TrailerRow[] = [
      { repo: "acme/app", sha: mine, key: "Co-authored-by", value: "Dave Contractor <dave@contractor.example>" },
      { repo: "acme/app", sha: mine, key: "co-authored-by", value: "Евгения Иванова <evgenia@acme.example>" },
      { repo: "acme/app", sha: mine, key: "Co-Authored-By", value: "just a name" },
      { repo: "acme/app", sha: mine, key: "Signed-off-by", value: "Alice <alice@acme.example>" },
      { repo: "acme/app", sha: mine, key: "Reviewed-by", value: "Bob <bob@acme.example>" },
      { repo: "acme/app", sha: sha("d"), key: "Co-authored-by", value: "Someone Else <else@acme.example>" },
    ];
    const c = toChange(row({ sha: mine, subject: "Add keys (#2)" }), trailers);
    expect(c.coAuthors).toEqual([
      { name: "Dave Contractor", email: "dave@contractor.example" },
      { name: "Евгения Иванова", email: "evgenia@acme.example" },
      { name: "just a name", email: "" },
    ]);
    expect(c.signedOffBy).toEqual(["Alice <alice@acme.example>"]);
    expect(c.claimedPullRequest).toBe(2);
  });
});

describe("changeLog", () => {
  const rows: BranchCommitRow[] = [
    row({ repo: "acme/web", branch: "main", sha: sha("9"), committer_time: T + 50 }),
    row({ repo: "acme/app", branch: "release", sha: sha("8"), committer_time: T + 10 }),
    row({
      repo: "acme/app",
      branch: "main",
      sha: sha("f"),
      committer_time: T + 20,
      parents: `${sha("1")} ${sha("2")}`,
      subject: "Merge pull request #3 from acme/x",
    }),
    row({ repo: "acme/app", branch: "main", sha: sha("c"), committer_time: T + 20, subject: "direct (#99)" }),
    row({ repo: "acme/app", branch: "main", sha: sha("e"), committer_time: T + 5, removed_at: "2026-09-01T00:00:00Z" }),
    row({ repo: "acme/app", branch: "main", sha: sha("a"), committer_time: T + 20 }),
  ];

  it("groups by repo and branch with counts of merges, single-parent and removed commits", () => {
    const logs = changeLog(rows, []);
    expect(logs.map((l) => [l.repo, l.branch, l.changes.length, l.merges, l.singleParent, l.removed])).toEqual([
      ["acme/app", "main", 4, 1, 3, 1],
      ["acme/app", "release", 1, 0, 1, 0],
      ["acme/web", "main", 1, 0, 1, 0],
    ]);
  });

  it("sorts changes by commit time, then sha, whatever order the rows came in", () => {
    const expected = [sha("e"), sha("a"), sha("c"), sha("f")];
    const main = (rs: BranchCommitRow[]): string[] =>
      changeLog(rs, [])
        .find((l) => l.repo === "acme/app" && l.branch === "main")
        ?.changes.map((c) => c.sha) ?? [];
    expect(main(rows)).toEqual(expected);
    expect(main([...rows].reverse())).toEqual(expected);
    const rotated = [...rows.slice(3), ...rows.slice(0, 3)];
    expect(changeLog(rotated, [])).toEqual(changeLog(rows, []));
  });

  it("is empty for no rows", () => {
    expect(changeLog([], [])).toEqual([]);
  });

  it("marks the claimed pull request per change kind", () => {
    const main = changeLog(rows, []).find((l) => l.repo === "acme/app" && l.branch === "main");
    expect(main?.changes.map((c) => [c.sha.slice(0, 1), c.kind, c.claimedPullRequest])).toEqual([
      ["e", "single-parent", null],
      ["a", "single-parent", null],
      ["c", "single-parent", 99],
      ["f", "merge", 3],
    ]);
  });
});

describe("rewrites", () => {
  it("maps stored rewrites, with the previous run's end as the earliest it can have happened", () => {
    const stored: RewriteRow[] = [
      {
        repo: "acme/gitops",
        branch: "main",
        old_tip: sha("1"),
        new_tip: sha("2"),
        old_tip_present: 1,
        dropped_commits: 2,
        observed_at: "2026-09-05T00:00:00.000Z",
        previous_run_finished_at: "2026-09-04T00:00:00.000Z",
        run_id: 7,
      },
      {
        repo: "acme/gitops",
        branch: "prod",
        old_tip: sha("3"),
        new_tip: sha("4"),
        old_tip_present: 0,
        dropped_commits: 0,
        observed_at: "2026-09-06T00:00:00.000Z",
        previous_run_finished_at: null,
        run_id: 8,
      },
    ];
    expect(rewrites(stored)).toEqual([
      {
        repo: "acme/gitops",
        branch: "main",
        oldTip: sha("1"),
        newTip: sha("2"),
        oldTipPresent: true,
        droppedCommits: 2,
        observedAt: "2026-09-05T00:00:00.000Z",
        notBefore: "2026-09-04T00:00:00.000Z",
        runId: 7,
      },
      {
        repo: "acme/gitops",
        branch: "prod",
        oldTip: sha("3"),
        newTip: sha("4"),
        oldTipPresent: false,
        droppedCommits: 0,
        observedAt: "2026-09-06T00:00:00.000Z",
        notBefore: null,
        runId: 8,
      },
    ]);
  });
});
