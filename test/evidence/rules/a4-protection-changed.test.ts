import { describe, expect, it } from "vitest";
import { a4ProtectionChanged } from "../../../src/evidence/rules/a4-protection-changed.js";
import { accessInput, REPO, rule, type SnapshotSpec } from "../../helpers/access-world.js";

const OPEN = "2026-06-30T08:00:00Z";
const MID = "2026-08-15T08:00:00Z";
const CLOSE = "2026-10-01T08:00:00Z";
const snap = (takenAt: string, main: Record<string, unknown> | null): SnapshotSpec => ({
  takenAt,
  protection: { [REPO]: main ? { main } : {} },
});

const verdicts = (specs: SnapshotSpec[]) =>
  a4ProtectionChanged.evaluate(accessInput(specs)).map((f) => `${f.verdict}: ${f.reason}`);

describe("A4 protection changed, and continuity", () => {
  it.each<[string, SnapshotSpec[], string[]]>([
    [
      "unchanged through the period: continuity holds",
      [snap(OPEN, rule()), snap(MID, rule()), snap(CLOSE, rule())],
      [`pass: ${REPO}:main required 1 approval continuously from ${OPEN} to ${CLOSE} (3 snapshots)`],
    ],
    [
      "protection weakened mid-period and restored: both changes, and the lapse",
      [
        snap(OPEN, rule({ requiredApprovingReviewCount: 2 })),
        snap(MID, rule({ requiredApprovingReviewCount: 0, requiresApprovingReviews: false })),
        snap(CLOSE, rule({ requiredApprovingReviewCount: 2 })),
      ],
      [
        `exception: protection of ${REPO}:main weakened (requiresApprovingReviews turned off; required approvals 2 -> no pull request required) between ${OPEN} and ${MID}`,
        `note: protection of ${REPO}:main changed between ${MID} and ${CLOSE}`,
        `exception: ${REPO}:main: review was not required throughout: required 2 approvals from ${OPEN} to ${OPEN}; required no pull request from ${MID} to ${MID}; required 2 approvals from ${CLOSE} to ${CLOSE}`,
      ],
    ],
    [
      "force pushes allowed: weakened though approvals still required",
      [snap(OPEN, rule()), snap(CLOSE, rule({ allowsForcePushes: true }))],
      [
        `exception: protection of ${REPO}:main weakened (allowsForcePushes turned on) between ${OPEN} and ${CLOSE}`,
        `pass: ${REPO}:main required 1 approval continuously from ${OPEN} to ${CLOSE} (2 snapshots)`,
      ],
    ],
    [
      "the rule deleted",
      [snap(OPEN, rule()), snap(CLOSE, null)],
      [
        `exception: protection of ${REPO}:main weakened (branch protection rule main removed or no longer applies; required approvals 1 -> no pull request required) between ${OPEN} and ${CLOSE}`,
        `exception: ${REPO}:main: review was not required throughout: required 1 approval from ${OPEN} to ${OPEN}; required no pull request from ${CLOSE} to ${CLOSE}`,
      ],
    ],
    [
      "a rule added where there was none is a change, not a weakening, though admins may bypass it",
      [snap(OPEN, null), snap(CLOSE, rule({ isAdminEnforced: false }))],
      [
        `note: protection of ${REPO}:main changed between ${OPEN} and ${CLOSE}`,
        `exception: ${REPO}:main: review was not required throughout: required no pull request from ${OPEN} to ${OPEN}; required 1 approval from ${CLOSE} to ${CLOSE}`,
      ],
    ],
    [
      "a new bypass allowance on a rule that stays",
      [snap(OPEN, rule()), snap(CLOSE, rule({ bypassPullRequestAllowances: ["User:mallory"] }))],
      [
        `exception: protection of ${REPO}:main weakened (can now bypass: bypass allowance User:mallory) between ${OPEN} and ${CLOSE}`,
        `pass: ${REPO}:main required 1 approval continuously from ${OPEN} to ${CLOSE} (2 snapshots)`,
      ],
    ],
    [
      "one snapshot: blocked",
      [snap(MID, rule())],
      [`blocked: only one snapshot of ${REPO} (${MID}) shows the period: whether its protection held cannot be shown`],
    ],
  ])("%s", (_name, specs, expected) => {
    expect(verdicts(specs)).toEqual(expected);
  });

  it("lists what changed, setting by setting, with the two snapshots", () => {
    const [f] = a4ProtectionChanged.evaluate(
      accessInput([snap(OPEN, rule()), snap(CLOSE, rule({ allowsForcePushes: true }))]),
    );
    expect(f?.evidence).toEqual([
      { label: "before", value: `snapshot 1 taken at ${OPEN}` },
      { label: "after", value: `snapshot 2 taken at ${CLOSE}` },
      { label: "changed", value: "branch protection rule main: allowsForcePushes false -> true" },
    ]);
  });
});
