import { describe, expect, it } from "vitest";
import type { Change, Population } from "../../src/evidence/population.js";
import {
  alice,
  bob,
  carol,
  directPush,
  FIRST,
  HEAD,
  mallory,
  mergeCommitMerge,
  PR1,
  populationOf,
  populationRowsOf,
  pull,
  REPO,
  rebaseMerge,
  sha,
  short,
  squashMerge,
  verified,
  type World,
  world,
} from "../helpers/population-world.js";

const change = (pop: Population, id: string): Change => {
  const c = pop.changes.find((x) => x.id === id);
  if (!c) throw new Error(`no change ${id} among ${pop.changes.map((x) => x.id).join(", ")}`);
  return c;
};
const shas = (c: Change): string[] => c.commits.map((x) => x.sha);

describe("the change population: how a pull request landed", () => {
  const three = [
    { oid: sha("pr3 a"), author: alice, signature: verified("alice") },
    { oid: sha("pr3 b"), author: alice, signature: verified("alice") },
    { oid: sha("pr3 c"), author: bob, signature: verified("bob") },
  ];

  it.each([
    {
      name: "a squash merge: the squash commit alone",
      w: squashMerge(pull()),
      kind: "squash",
      commits: [sha("squash of #1")],
      seenIn: ["branch"],
    },
    {
      name: "a rebase merge: every re-created commit, mapped back by GitHub's lookup",
      w: rebaseMerge(pull({ headOid: sha("pr3 c"), commits: three })),
      kind: "rebase",
      commits: three.map((c) => sha(`rebased ${c.oid}`)),
      seenIn: ["branch", "branch", "branch"],
    },
    {
      name: "a merge-commit merge: the merge commit and the pull request's own commits",
      w: mergeCommitMerge(pull()),
      kind: "merge-commit",
      commits: [sha("merge of #1"), FIRST, HEAD],
      seenIn: ["branch", "pull-request", "pull-request"],
    },
  ])("$name", ({ w, kind, commits, seenIn }) => {
    const pop = populationOf(w);
    expect(pop.changes.map((c) => c.id)).toEqual([PR1]);
    const c = change(pop, PR1);
    expect(c).toMatchObject({
      kind,
      repo: REPO,
      branch: "main",
      title: "Add ledger",
      url: "https://github.com/acme/app/pull/1",
      landedAt: "2026-08-01T12:00:00Z",
      landedBy: expect.stringMatching(/merged/i),
      mergedBy: { login: "bob" },
      blocked: null,
    });
    expect(shas(c).sort()).toEqual([...commits].sort());
    expect(c.commits.map((x) => x.seenIn).sort()).toEqual([...seenIn].sort());
    expect(c.pr?.number).toBe(1);
    expect(c.review?.approvals.map((a) => a.review.author)).toEqual(["bob"]);
  });

  it("a merge-commit merge keeps GitHub's verification of its merge commit", () => {
    const pop = populationOf(mergeCommitMerge(pull()));
    const merge = change(pop, PR1).commits.find((x) => x.seenIn === "branch");
    expect(merge?.sha).toBe(sha("merge of #1"));
    expect(merge?.verification).toEqual({ state: "VALID", valid: true, signer: "web-flow" });
  });

  it("a merged pull request git never saw on the branch is not-on-branch, with no commits landed", () => {
    const pop = populationOf({ pulls: [pull()] });
    expect(change(pop, PR1)).toMatchObject({ kind: "not-on-branch", commits: [] });
  });

  it("a commit of a pull request merged outside the period is not a change, nor is the pull request", () => {
    const june = squashMerge(pull({ number: 7, mergedAt: "2026-06-28T12:00:00Z" }), {
      // Committed in June but first seen by the run of 2026-07-10: read for the period, explained by #7.
      committedAt: "2026-06-28T12:00:00Z",
      firstSeenRun: 2,
    });
    const rows = populationRowsOf(june);
    expect(rows.commits.map((c) => [c.sha, c.landed_by])).toEqual([[sha("squash of #7"), 7]]);
    expect(rows.pulls).toEqual([]);
    expect(populationOf(june).changes).toEqual([]);
  });
});

describe("the change population: commits no pull request landed", () => {
  it("a commit GitHub associates with no pull request is a direct push, by its committer", () => {
    const push = sha("hotfix");
    const pop = populationOf(directPush({ sha: push, author: alice, committer: carol }));
    const c = change(pop, `${REPO}@${push}`);
    expect(c).toMatchObject({
      kind: "direct-push",
      pr: null,
      review: null,
      blocked: null,
      title: "hotfix",
      landedAt: "2026-08-05T09:00:00.000Z",
      mergedBy: { name: "Carol Chen", email: "carol@acme.example", login: "carol" },
    });
    expect(c.landedBy).toContain("committer date");
    expect(shas(c)).toEqual([push]);
  });

  it.each([
    {
      name: "GitHub not yet asked about the commit",
      w: directPush({ sha: sha("unread"), github: null }),
      id: `${REPO}@${sha("unread")}`,
      blocked: `GitHub has not yet been asked which pull request, if any, landed ${short(sha("unread"))}`,
    },
    {
      name: "a repository GitHub was never collected for",
      w: world(
        {
          repos: [{ name: "acme/legacy", github: null }],
          gitRuns: [
            { id: 1, repo: "acme/legacy", at: "2026-07-01T06:00:00Z" },
            { id: 2, repo: "acme/legacy", at: "2026-08-10T00:00:00Z" },
          ],
        },
        directPush({ repo: "acme/legacy", sha: sha("legacy"), github: null }),
      ),
      id: `acme/legacy@${sha("legacy")}`,
      blocked: `GitHub was not collected for acme/legacy: whether a pull request landed ${short(sha("legacy"))} cannot be shown`,
    },
    {
      name: "GitHub does not have the commit",
      w: directPush({ sha: sha("gone"), github: { prs: [], read: "missing" } }),
      id: `${REPO}@${sha("gone")}`,
      blocked: `GitHub does not have ${short(sha("gone"))} (asked by its id): whether a pull request landed it cannot be shown`,
    },
    {
      name: "GitHub names a pull request the store does not hold",
      w: directPush({ sha: sha("orphan"), github: { prs: [9] } }),
      id: `${REPO}@${sha("orphan")}`,
      blocked: `GitHub associates ${short(sha("orphan"))} with pull request #9, which the store does not hold`,
    },
  ])("a commit with no lookup is unknown and blocked: $name", ({ w, id, blocked }) => {
    const c = change(populationOf(w), id);
    expect(c.kind).toBe("unknown");
    expect(c.blocked).toContain(blocked);
    expect(c.pr).toBeNull();
  });

  it("a repository never collected from GitHub has no protection in force and says it was not collected", () => {
    const pop = populationOf(
      world(
        {
          repos: [{ name: "acme/legacy", github: null }],
          gitRuns: [{ id: 1, repo: "acme/legacy", at: "2026-08-10T00:00:00Z" }],
        },
        directPush({ repo: "acme/legacy", sha: sha("legacy"), github: null }),
      ),
    );
    expect(pop.repos).toEqual([
      { name: "acme/legacy", role: "app", github: null, githubCollected: false, branches: ["main"] },
    ]);
    expect(change(pop, `acme/legacy@${sha("legacy")}`).protection).toBeNull();
  });

  describe("when a push landed: its committer date, held inside what changeproof saw", () => {
    // Runs of acme/app: 2026-06-20 (1), 07-10 (2), 07-25 (3), 08-10 (4), 08-25 (5), ...
    it.each([
      {
        name: "a backdated push (dated before the read of 07-25 that did not see it) lands when first seen",
        committedAt: "2026-06-15T09:00:00Z",
        firstSeenRun: 4,
        landedAt: "2026-08-10T00:00:00.000Z",
        by: "not there at the read of 2026-07-25T00:00:00.000Z, so its committer date (2026-06-15T09:00:00.000Z) is false",
      },
      {
        name: "a push backdated into the period from after it still lands when first seen",
        committedAt: "2026-07-20T09:00:00Z",
        firstSeenRun: 5,
        landedAt: "2026-08-25T00:00:00.000Z",
        by: "not there at the read of 2026-08-10T00:00:00.000Z",
      },
      {
        name: "a push dated after the run that first saw it lands at that run",
        committedAt: "2026-08-20T09:00:00Z",
        firstSeenRun: 4,
        landedAt: "2026-08-10T00:00:00.000Z",
        by: "its committer date, 2026-08-20T09:00:00.000Z, is later",
      },
      {
        name: "a push dated between the two reads keeps its committer date",
        committedAt: "2026-08-01T09:00:00Z",
        firstSeenRun: 4,
        landedAt: "2026-08-01T09:00:00.000Z",
        by: "committer date (first seen on the branch 2026-08-10T00:00:00.000Z)",
      },
    ])("$name", ({ committedAt, firstSeenRun, landedAt, by }) => {
      const push = sha(`push ${committedAt}`);
      const c = change(populationOf(directPush({ sha: push, committedAt, firstSeenRun })), `${REPO}@${push}`);
      expect(c.landedAt).toBe(landedAt);
      expect(c.landedBy).toContain(by);
    });

    it.each([
      { name: "committed and first seen before the period", committedAt: "2026-06-15T09:00:00Z", firstSeenRun: 1 },
      {
        name: "first seen after the period, dated truly after it",
        committedAt: "2026-10-02T09:00:00Z",
        firstSeenRun: 8,
      },
      // Dated in the period, but the read of 2026-09-25 did not see it: it landed after 09-25, first seen 10-05.
      { name: "dated in the period but first seen after it", committedAt: "2026-09-01T09:00:00Z", firstSeenRun: 8 },
    ])("a push outside the period is not a change: $name", ({ committedAt, firstSeenRun }) => {
      expect(populationOf(directPush({ sha: sha("outside"), committedAt, firstSeenRun })).changes).toEqual([]);
    });
  });
});

describe("the change population: protection in force at the merge", () => {
  const snapshots: World["snapshots"] = [
    { id: 1, at: "2026-07-15T00:00:00Z", rules: [{ pattern: "main", approvals: 1 }] },
    { id: 2, at: "2026-08-01T12:00:00Z", rules: [{ pattern: "main", approvals: 2, dismissStale: true }] },
    { id: 3, at: "2026-09-01T00:00:00Z", rules: [] },
  ];

  it.each([
    {
      name: "the latest snapshot before the merge",
      mergedAt: "2026-07-20T10:00:00Z",
      expected: { snapshotId: 1, basis: "before", requiredApprovals: 1, dismissesStaleReviews: false },
    },
    {
      name: "a snapshot taken at the very moment of the merge",
      mergedAt: "2026-08-01T12:00:00Z",
      expected: { snapshotId: 2, basis: "before", requiredApprovals: 2, dismissesStaleReviews: true },
    },
    {
      name: "protection removed later: the later snapshot, requiring nothing",
      mergedAt: "2026-09-02T10:00:00Z",
      expected: { snapshotId: 3, basis: "before", requiredApprovals: null, requiresPullRequest: false, sources: [] },
    },
    {
      name: "no snapshot before the merge: the earliest after, said as such",
      mergedAt: "2026-07-02T10:00:00Z",
      expected: { snapshotId: 1, basis: "after", takenAt: "2026-07-15T00:00:00.000Z", requiredApprovals: 1 },
    },
  ])("$name", ({ mergedAt, expected }) => {
    const pop = populationOf(world(squashMerge(pull({ mergedAt })), { snapshots }));
    expect(change(pop, PR1).protection).toMatchObject(expected);
  });

  it("names the rule that applied and who could bypass it", () => {
    const pop = populationOf(
      world(squashMerge(pull()), {
        snapshots: [
          {
            id: 1,
            at: "2026-07-15T00:00:00Z",
            rules: [
              { pattern: "release/*", approvals: 3 },
              { pattern: "main", approvals: 1, adminEnforced: false, bypass: ["User:carol"] },
            ],
          },
        ],
      }),
    );
    expect(change(pop, PR1).protection).toMatchObject({
      requiredApprovals: 1,
      adminEnforced: false,
      sources: ["branch protection rule main"],
      bypass: ["bypass allowance User:carol", "repository admins (admins not enforced)"],
    });
  });

  it("a ruleset on the default branch applies when the git collector protected the default branch", () => {
    const rulesets = [{ name: "prod", scope: "acme", approvals: 2 }];
    const known = populationOf(
      world(squashMerge(pull()), { snapshots: [{ id: 1, at: "2026-07-15T00:00:00Z", rulesets }] }),
    );
    expect(change(known, PR1).protection).toMatchObject({ requiredApprovals: 2, sources: ["ruleset prod (acme)"] });
    const unknown = populationOf(
      world(
        squashMerge(pull()),
        { repos: [{ name: REPO, gitBranches: '["main"]' }] },
        { snapshots: [{ id: 1, at: "2026-07-15T00:00:00Z", rulesets }] },
      ),
    );
    expect(change(unknown, PR1).protection).toMatchObject({ requiredApprovals: null });
    expect(change(unknown, PR1).protection?.caveats[0]).toContain("ruleset prod applies to the default branch");
  });

  it("a direct push is judged by the protection in force when it landed", () => {
    const push = sha("hotfix");
    const pop = populationOf(world(directPush({ sha: push, committedAt: "2026-08-05T09:00:00Z" }), { snapshots }));
    expect(change(pop, `${REPO}@${push}`).protection).toMatchObject({ snapshotId: 2, basis: "before" });
  });
});

describe("the change population: unresolved identities", () => {
  it("lists every commit identity that resolves to nobody, with the changes it touches", () => {
    const push = sha("mallory push");
    const pop = populationOf(
      world(
        squashMerge(
          pull({
            commits: [
              { oid: FIRST, author: alice, signature: verified("alice") },
              { oid: HEAD, author: mallory },
            ],
          }),
        ),
        directPush({ sha: push, author: mallory }),
        squashMerge(pull({ number: 2, headOid: sha("pr2"), commits: [{ oid: sha("pr2"), author: alice }] })),
      ),
    );
    expect(pop.unresolved).toEqual([{ identity: "Mallory <mallory@laptop.local>", changes: [PR1, `${REPO}@${push}`] }]);
    expect(change(pop, PR1).review?.unresolvedAuthors).toEqual(["Mallory <mallory@laptop.local>"]);
  });

  it("an email the registry names, or GitHub ties to an account, is resolved", () => {
    const pop = populationOf(
      world(
        directPush({ sha: sha("dave push"), author: { name: "Dave", email: "dave@home.example", login: null } }),
        directPush({ sha: sha("erin push"), author: { name: "Erin", email: "erin@home.example", login: "erin" } }),
      ),
    );
    expect(pop.unresolved).toEqual([]);
    expect(pop.identities.resolve({ email: "dave@home.example" })?.key).toBe("person:Dave Dunn");
    expect(pop.identities.resolve({ email: "erin@home.example" })?.key).toBe("login:erin");
  });
});
