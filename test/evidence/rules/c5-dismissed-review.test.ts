import { describe, expect, it } from "vitest";
import { c5DismissedReview } from "../../../src/evidence/rules/c5-dismissed-review.js";
import {
  APPROVED_AT,
  alice,
  dave,
  directPush,
  FIRST,
  HEAD,
  populationOf,
  pull,
  type ReviewSpec,
  review,
  sha,
  squashMerge,
  subjectOf,
  verified,
  type World,
} from "../../helpers/population-world.js";

// bob's approval (databaseId 41) is dismissed by carol at 2026-07-31T09:00:00Z.
const dismissedBob = review("bob", FIRST, APPROVED_AT, { state: "DISMISSED", id: 41 });
const dismissal = { review: 41, by: "carol", at: "2026-07-31T09:00:00Z" };
const dismissed = (reviews: ReviewSpec[], by: string | null = "carol") =>
  squashMerge(pull({ reviews: [dismissedBob, ...reviews], dismissals: [{ ...dismissal, by }] }));

const cases: { name: string; w: World; verdict: string; reason: string }[] = [
  { name: "no approval dismissed", w: squashMerge(pull()), verdict: "pass", reason: "no approval was dismissed" },
  {
    name: "a dismissed approval replaced by a later one",
    w: dismissed([review("bob", HEAD, "2026-07-31T11:00:00Z")]),
    verdict: "pass",
    reason: "every dismissed approval was replaced by a later one",
  },
  {
    name: "a dismissed approval replaced by someone else's later approval",
    w: dismissed([review("carol", HEAD, "2026-07-31T11:00:00Z")]),
    verdict: "pass",
    reason: "every dismissed approval was replaced by a later one",
  },
  {
    name: "a dismissed approval not replaced",
    w: dismissed([]),
    verdict: "dismissed-not-replaced",
    reason: "approval by bob dismissed by carol and not replaced",
  },
  {
    name: "dismissed by a deleted account and not replaced",
    w: dismissed([], null),
    verdict: "dismissed-not-replaced",
    reason: "approval by bob dismissed by a deleted account and not replaced",
  },
  {
    name: "'replaced' only by a bot's approval",
    w: dismissed([review("renovate[bot]", HEAD, "2026-07-31T11:00:00Z")]),
    verdict: "dismissed-not-replaced",
    reason: "approval by bob dismissed by carol",
  },
  {
    name: "'replaced' only by a co-author's approval",
    w: squashMerge(
      pull({
        commits: [
          { oid: FIRST, author: alice, signature: verified("alice") },
          { oid: HEAD, author: alice, coAuthors: [dave], signature: verified("alice") },
        ],
        reviews: [dismissedBob, review("dave", HEAD, "2026-07-31T11:00:00Z")],
        dismissals: [dismissal],
      }),
    ),
    verdict: "dismissed-not-replaced",
    reason: "approval by bob dismissed by carol",
  },
  {
    name: "a dismissed change request is not a dismissed approval",
    w: squashMerge(
      pull({
        reviews: [review("carol", FIRST, APPROVED_AT, { state: "DISMISSED", id: 42 }), review("bob", HEAD)],
        dismissals: [{ review: 42, by: "alice", at: "2026-07-31T09:00:00Z", previousState: "CHANGES_REQUESTED" }],
      }),
    ),
    verdict: "pass",
    reason: "no approval was dismissed",
  },
  { name: "a direct push", w: directPush({ sha: sha("push") }), verdict: "n/a", reason: "a direct push" },
  {
    name: "a commit GitHub was not asked about",
    w: directPush({ sha: sha("unread"), github: null }),
    verdict: "blocked",
    reason: "GitHub has not yet been asked",
  },
];

describe("C5 dismissed review", () => {
  it.each(cases)("$name: $verdict", ({ w, verdict, reason }) => {
    const f = c5DismissedReview.evaluate(populationOf(w)).find((x) => x.subject.id === subjectOf(w));
    expect(f).toMatchObject({ rule: "C5", verdict, criteria: ["CC8.1"] });
    expect(f?.reason).toContain(reason);
  });

  it("covers every verdict the rule documents", () => {
    expect(new Set(cases.map((c) => c.verdict))).toEqual(new Set(c5DismissedReview.doc.verdicts));
  });

  it("shows who dismissed the approval, and when, in its evidence", () => {
    const f = c5DismissedReview.evaluate(populationOf(dismissed([])))[0];
    expect(f?.evidence.find((e) => e.label.startsWith("approval dismissed"))?.label).toBe(
      "approval dismissed by carol at 2026-07-31T09:00:00Z",
    );
  });
});
