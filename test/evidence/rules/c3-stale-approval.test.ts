import { describe, expect, it } from "vitest";
import { c3StaleApproval } from "../../../src/evidence/rules/c3-stale-approval.js";
import {
  APPROVED_AT,
  alice,
  dave,
  directPush,
  FIRST,
  HEAD,
  populationOf,
  pull,
  rebaseMerge,
  review,
  sha,
  short,
  squashMerge,
  subjectOf,
  verified,
  type World,
} from "../../helpers/population-world.js";

const cases: { name: string; w: World; verdict: string; reason: string }[] = [
  {
    name: "approved on the final head",
    w: squashMerge(pull()),
    verdict: "pass",
    reason: `approved on the final head ${short(HEAD)}`,
  },
  {
    name: "approved on an earlier commit, then a commit pushed",
    w: squashMerge(pull({ reviews: [review("bob", FIRST)] })),
    verdict: "stale",
    reason: `approved on ${short(FIRST)}; the final head is ${short(HEAD)}`,
  },
  {
    name: "re-approved on the new head",
    w: squashMerge(pull({ reviews: [review("bob", FIRST), review("carol", HEAD, "2026-07-31T10:00:00Z")] })),
    verdict: "pass",
    reason: `approved on the final head ${short(HEAD)}`,
  },
  {
    name: "a backdated push after the approval: commits dated before it, but the head is not the approved commit",
    w: rebaseMerge(pull({ reviews: [review("bob", FIRST, "2026-07-30T10:00:00Z")] }), {
      committedAt: "2026-07-12T09:00:00Z",
      firstSeenRun: 4,
    }),
    verdict: "stale",
    reason: `approved on ${short(FIRST)}; the final head is ${short(HEAD)}`,
  },
  {
    name: "an approval that names no commit",
    w: squashMerge(pull({ reviews: [review("bob", null)] })),
    verdict: "stale",
    reason: "its approvals name no commit, so none can be shown on the final head",
  },
  {
    name: "a review GitHub re-pointed to the head, first seen on an earlier commit",
    w: squashMerge(pull({ reviews: [review("bob", HEAD, APPROVED_AT, { firstCommit: FIRST })] })),
    verdict: "stale",
    reason: `approved on ${short(FIRST)}; the final head is ${short(HEAD)}`,
  },
  {
    name: "a head approval by a bot does not rescue a stale human approval",
    w: squashMerge(pull({ reviews: [review("bob", FIRST), review("renovate[bot]", HEAD, "2026-07-31T10:00:00Z")] })),
    verdict: "stale",
    reason: `approved on ${short(FIRST)}`,
  },
  {
    name: "only approvals that do not count (a co-author's)",
    w: squashMerge(
      pull({
        commits: [
          { oid: FIRST, author: alice, signature: verified("alice") },
          { oid: HEAD, author: alice, coAuthors: [dave], signature: verified("alice") },
        ],
        reviews: [review("dave", FIRST)],
      }),
    ),
    verdict: "n/a",
    reason: "no counting approval",
  },
  { name: "no approval", w: squashMerge(pull({ reviews: [] })), verdict: "n/a", reason: "no counting approval" },
  {
    name: "a direct push",
    w: directPush({ sha: sha("push") }),
    verdict: "n/a",
    reason: "a direct push, not a pull request",
  },
  {
    name: "a commit GitHub was not asked about",
    w: directPush({ sha: sha("unread"), github: null }),
    verdict: "blocked",
    reason: "GitHub has not yet been asked",
  },
];

describe("C3 stale approval", () => {
  it.each(cases)("$name: $verdict", ({ w, verdict, reason }) => {
    const f = c3StaleApproval.evaluate(populationOf(w)).find((x) => x.subject.id === subjectOf(w));
    expect(f).toMatchObject({ rule: "C3", verdict, criteria: ["CC8.1"] });
    expect(f?.reason).toContain(reason);
  });

  it("covers every verdict the rule documents", () => {
    expect(new Set(cases.map((c) => c.verdict))).toEqual(new Set(c3StaleApproval.doc.verdicts));
  });

  it("a backdated rebase really does carry commit dates before the approval (the case above is not vacuous)", () => {
    const w = rebaseMerge(pull({ reviews: [review("bob", FIRST)] }), {
      committedAt: "2026-07-12T09:00:00Z",
      firstSeenRun: 4,
    });
    const pop = populationOf(w);
    expect(pop.changes[0]?.kind).toBe("rebase");
    const rows = w.commits?.map((c) => c.committedAt) ?? [];
    expect(rows.every((d) => d < APPROVED_AT)).toBe(true);
  });
});
