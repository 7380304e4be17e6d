import { describe, expect, it } from "vitest";
import { c4ForcePushedAfterApproval } from "../../../src/evidence/rules/c4-force-pushed-after-approval.js";
import {
  APPROVED_AT,
  directPush,
  FIRST,
  HEAD,
  populationOf,
  pull,
  review,
  sha,
  short,
  squashMerge,
  subjectOf,
  type World,
} from "../../helpers/population-world.js";

// bob approves at 2026-07-30T10:00:00Z (APPROVED_AT).
const push = (at: string, actor: string | null = "alice") => ({ actor, at, before: FIRST, after: HEAD });

const cases: { name: string; w: World; verdict: string; reason: string }[] = [
  { name: "no force push", w: squashMerge(pull()), verdict: "pass", reason: "no force push after the first approval" },
  {
    name: "a force push before the approval",
    w: squashMerge(pull({ forcePushes: [push("2026-07-29T08:00:00Z")] })),
    verdict: "pass",
    reason: "no force push after the first approval",
  },
  {
    name: "a force push after the approval",
    w: squashMerge(pull({ reviews: [review("bob", FIRST)], forcePushes: [push("2026-07-31T08:00:00Z")] })),
    verdict: "force-pushed-after-approval",
    reason: `force-pushed by alice at 2026-07-31T08:00:00Z after approval at ${APPROVED_AT}`,
  },
  {
    name: "a force push after the approval, then a re-approval: still recorded",
    w: squashMerge(
      pull({
        reviews: [review("bob", FIRST), review("bob", HEAD, "2026-07-31T10:00:00Z")],
        forcePushes: [push("2026-07-31T08:00:00Z")],
      }),
    ),
    verdict: "force-pushed-after-approval",
    reason: `after approval at ${APPROVED_AT}`,
  },
  {
    name: "a deleted account's force push after the approval",
    w: squashMerge(pull({ forcePushes: [push("2026-07-31T08:00:00Z", null)] })),
    verdict: "force-pushed-after-approval",
    reason: "force-pushed by (deleted account) at 2026-07-31T08:00:00Z",
  },
  {
    name: "the first counting approval was dismissed; a force push after it still counts",
    w: squashMerge(
      pull({
        reviews: [review("bob", FIRST, APPROVED_AT, { state: "DISMISSED", id: 31 })],
        dismissals: [{ review: 31, by: "carol", at: "2026-07-30T12:00:00Z" }],
        forcePushes: [push("2026-07-31T08:00:00Z")],
      }),
    ),
    verdict: "force-pushed-after-approval",
    reason: "force-pushed by alice",
  },
  {
    name: "a force push after a bot's approval only",
    w: squashMerge(pull({ reviews: [review("renovate[bot]", FIRST)], forcePushes: [push("2026-07-31T08:00:00Z")] })),
    verdict: "n/a",
    reason: "no counting approval",
  },
  {
    name: "no approval at all",
    w: squashMerge(pull({ reviews: [], forcePushes: [push("2026-07-31T08:00:00Z")] })),
    verdict: "n/a",
    reason: "no counting approval",
  },
  { name: "a direct push", w: directPush({ sha: sha("push") }), verdict: "n/a", reason: "a direct push" },
  {
    name: "a commit GitHub was not asked about",
    w: directPush({ sha: sha("unread"), github: null }),
    verdict: "blocked",
    reason: "GitHub has not yet been asked",
  },
];

describe("C4 force-pushed after approval", () => {
  it.each(cases)("$name: $verdict", ({ w, verdict, reason }) => {
    const f = c4ForcePushedAfterApproval.evaluate(populationOf(w)).find((x) => x.subject.id === subjectOf(w));
    expect(f).toMatchObject({ rule: "C4", verdict, criteria: ["CC8.1"] });
    expect(f?.reason).toContain(reason);
  });

  it("covers every verdict the rule documents", () => {
    expect(new Set(cases.map((c) => c.verdict))).toEqual(new Set(c4ForcePushedAfterApproval.doc.verdicts));
  });

  it("shows the force push, from which commit to which, in its evidence", () => {
    const w = squashMerge(pull({ reviews: [review("bob", FIRST)], forcePushes: [push("2026-07-31T08:00:00Z")] }));
    const f = c4ForcePushedAfterApproval.evaluate(populationOf(w))[0];
    expect(f?.evidence.find((e) => e.label === "head force push")?.value).toBe(
      `alice at 2026-07-31T08:00:00Z: ${short(FIRST)} -> ${short(HEAD)}`,
    );
  });
});
