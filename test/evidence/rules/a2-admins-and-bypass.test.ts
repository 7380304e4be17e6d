import { describe, expect, it } from "vitest";
import { a2AdminsAndBypass } from "../../../src/evidence/rules/a2-admins-and-bypass.js";
import { accessInput, REPO, rule, type SnapshotSpec, tracked } from "../../helpers/access-world.js";

const CLOSE = "2026-10-01T08:00:00Z";
const members = { alice: ["ADMIN", true], bob: ["MEMBER", true] } as NonNullable<SnapshotSpec["members"]>;

const verdicts = (specs: SnapshotSpec[]) =>
  a2AdminsAndBypass.evaluate(accessInput(specs)).map((f) => `${f.verdict} ${f.subject.id}: ${f.reason}`);

describe("A2 admins and who can change a protected branch alone", () => {
  it.each<[string, SnapshotSpec, string]>([
    [
      "a rule binding admins, with no bypass: nobody can",
      { takenAt: CLOSE, members, protection: { [REPO]: { main: rule() } } },
      `pass ${REPO}:main: nobody can change ${REPO}:main without review (1 approvals required, admins included)`,
    ],
    [
      "admins not enforced",
      { takenAt: CLOSE, members, protection: { [REPO]: { main: rule({ isAdminEnforced: false }) } } },
      `exception ${REPO}:main: can change ${REPO}:main without review: repository admins (admins not enforced)`,
    ],
    [
      "a bypass allowance",
      {
        takenAt: CLOSE,
        members,
        protection: { [REPO]: { main: rule({ bypassPullRequestAllowances: ["User:alice"] }) } },
      },
      `exception ${REPO}:main: can change ${REPO}:main without review: bypass allowance User:alice`,
    ],
    [
      "a ruleset bypass actor",
      {
        takenAt: CLOSE,
        members,
        protection: { [REPO]: {} },
        rulesets: [
          {
            scope: REPO,
            id: 9,
            name: "prod",
            settings: {
              conditions: { refName: { include: ["refs/heads/main"], exclude: [] } },
              rules: [{ type: "PULL_REQUEST", parameters: { requiredApprovingReviewCount: 1 } }],
              bypassActors: [{ bypassMode: "ALWAYS", actor: { __typename: "Team", slug: "sre" } }],
            },
          },
        ],
      },
      `exception ${REPO}:main: can change ${REPO}:main without review: ruleset prod bypass: Team sre (ALWAYS)`,
    ],
    [
      "a ruleset on ~DEFAULT_BRANCH protects the branch GitHub named default at the snapshot",
      {
        takenAt: CLOSE,
        members,
        defaultBranch: "main",
        protection: { [REPO]: {} },
        rulesets: [
          {
            scope: REPO,
            id: 10,
            name: "default",
            settings: {
              conditions: { refName: { include: ["~DEFAULT_BRANCH"], exclude: [] } },
              rules: [{ type: "PULL_REQUEST", parameters: { requiredApprovingReviewCount: 1 } }],
              bypassActors: [{ bypassMode: "PULL_REQUEST", actor: { __typename: "Team", slug: "platform" } }],
            },
          },
        ],
      },
      `exception ${REPO}:main: can change ${REPO}:main without review: ruleset default bypass: Team platform (PULL_REQUEST)`,
    ],
    [
      "a rule requiring a pull request no one need approve is no review",
      {
        takenAt: CLOSE,
        members,
        protection: { [REPO]: { main: rule({ requiredApprovingReviewCount: 0 }) } },
      },
      `exception ${REPO}:main: no branch protection rule or ruleset requires an approved pull request on ${REPO}:main: anyone with write access can change it alone`,
    ],
    [
      "no rule at all: anyone with write",
      { takenAt: CLOSE, members, protection: { [REPO]: {} } },
      `exception ${REPO}:main: no branch protection rule or ruleset requires an approved pull request on ${REPO}:main: anyone with write access can change it alone`,
    ],
  ])("%s", (_name, spec, expected) => {
    expect(verdicts([spec])).toContain(expected);
  });

  it("lists owners (from the organisation's run) and admin collaborators (from the repository's)", () => {
    const out = verdicts([
      { takenAt: "2026-09-30T08:00:00Z", members },
      {
        takenAt: CLOSE,
        collaborators: { [REPO]: { carol: ["ADMIN", false], bob: ["WRITE", false] } },
        protection: { [REPO]: { main: rule() } },
      },
    ]);
    expect(out[0]).toBe(`note ${REPO}: ${REPO} is administered by alice (owner), carol`);
  });

  it("is blocked for a repository no snapshot read", () => {
    expect(verdicts([{ takenAt: CLOSE, members }])).toEqual([
      `blocked ${REPO}: no access snapshot read ${REPO}: its admins and who can bypass its protection cannot be shown`,
    ]);
  });

  it("judges every protected branch of the repository", () => {
    const out = a2AdminsAndBypass.evaluate(
      accessInput(
        [
          {
            takenAt: CLOSE,
            members,
            protection: { [REPO]: { main: rule(), "release/*": rule({ isAdminEnforced: false }) } },
          },
        ],
        [tracked({ branches: ["main", "release/1.0"] })],
      ),
    );
    expect(out.map((f) => `${f.subject.id} ${f.verdict}`)).toEqual([
      `${REPO} note`,
      `${REPO}:main pass`,
      `${REPO}:release/1.0 exception`,
    ]);
  });
});
