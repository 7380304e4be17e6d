import { describe, expect, it } from "vitest";
import { c2SelfApproved } from "../../../src/evidence/rules/c2-self-approved.js";
import {
  APPROVED_AT,
  alice,
  carol,
  dave,
  directPush,
  FIRST,
  HEAD,
  mallory,
  populationOf,
  pull,
  review,
  sha,
  squashMerge,
  subjectOf,
  verified,
  type World,
} from "../../helpers/population-world.js";

const coAuthoredBy = (who: { name: string; email: string }) => [
  { oid: FIRST, author: alice, signature: verified("alice") },
  { oid: HEAD, author: alice, coAuthors: [who], signature: verified("alice") },
];

const cases: { name: string; w: World; verdict: string; reason: string }[] = [
  {
    name: "approved by someone other than its authors",
    w: squashMerge(pull()),
    verdict: "pass",
    reason: "approved by someone other than its authors",
  },
  {
    name: "approved only by a co-author (Co-authored-by, resolved by the registry's email)",
    w: squashMerge(pull({ commits: coAuthoredBy(dave), reviews: [review("dave", HEAD)] })),
    verdict: "self-approved",
    reason: "approved only by its own authors: dave",
  },
  {
    name: "approved only by the author of one of its commits",
    w: squashMerge(
      pull({
        commits: [
          { oid: FIRST, author: carol, signature: verified("carol") },
          { oid: HEAD, author: alice, signature: verified("alice") },
        ],
        reviews: [review("carol", HEAD)],
      }),
    ),
    verdict: "self-approved",
    reason: "approved only by its own authors: carol",
  },
  {
    name: "approved by a co-author and by someone independent",
    w: squashMerge(
      pull({
        commits: coAuthoredBy(dave),
        reviews: [review("dave", HEAD), review("bob", HEAD, "2026-07-31T10:00:00Z")],
      }),
    ),
    verdict: "pass",
    reason: "approved by someone other than its authors",
  },
  {
    name: "a co-author's approval beside a bot's: the bot is neither self nor independent",
    w: squashMerge(
      pull({ commits: coAuthoredBy(dave), reviews: [review("dave", HEAD), review("renovate[bot]", HEAD)] }),
    ),
    verdict: "self-approved",
    reason: "approved only by its own authors: dave",
  },
  {
    name: "the co-author's approval was dismissed, leaving none by a person",
    w: squashMerge(
      pull({
        commits: coAuthoredBy(dave),
        reviews: [review("dave", HEAD, APPROVED_AT, { state: "DISMISSED", id: 21 })],
        dismissals: [{ review: 21, by: "carol", at: "2026-07-31T09:00:00Z" }],
      }),
    ),
    verdict: "n/a",
    reason: "no approval by a person",
  },
  {
    name: "no approval at all",
    w: squashMerge(pull({ reviews: [] })),
    verdict: "n/a",
    reason: "no approval by a person",
  },
  {
    name: "only a bot approved",
    w: squashMerge(pull({ reviews: [review("review-helper", HEAD, APPROVED_AT, { authorKind: "Bot" })] })),
    verdict: "n/a",
    reason: "no approval by a person",
  },
  {
    name: "only a service account from people: approved",
    w: squashMerge(pull({ reviews: [review("acme-deployer", HEAD)] })),
    verdict: "n/a",
    reason: "no approval by a person",
  },
  {
    name: "only a deleted account approved",
    w: squashMerge(pull({ reviews: [review(null, HEAD)] })),
    verdict: "n/a",
    reason: "no approval by a person",
  },
  {
    name: "approved by bob while a commit author resolves to nobody (bob may be that author)",
    w: squashMerge(pull({ commits: [{ oid: HEAD, author: mallory }] })),
    verdict: "blocked",
    reason: "Mallory <mallory@laptop.local> resolves to no account: whether an approver is that author cannot be shown",
  },
  {
    name: "a direct push",
    w: directPush({ sha: sha("push") }),
    verdict: "n/a",
    reason: "a direct push, not a pull request (judged by C7)",
  },
  {
    name: "a commit GitHub was not asked about",
    w: directPush({ sha: sha("unread"), github: null }),
    verdict: "blocked",
    reason: "GitHub has not yet been asked",
  },
];

describe("C2 self-approved", () => {
  it.each(cases)("$name: $verdict", ({ w, verdict, reason }) => {
    const f = c2SelfApproved.evaluate(populationOf(w)).find((x) => x.subject.id === subjectOf(w));
    expect(f).toMatchObject({ rule: "C2", verdict, criteria: ["CC8.1"] });
    expect(f?.reason).toContain(reason);
  });

  it("covers every verdict the rule documents", () => {
    expect(new Set(cases.map((c) => c.verdict))).toEqual(new Set(c2SelfApproved.doc.verdicts));
  });
});
