import { describe, expect, it } from "vitest";
import { a1AccessReview } from "../../../src/evidence/rules/a1-access-review.js";
import { accessInput, REPO, type SnapshotSpec, tracked } from "../../helpers/access-world.js";

const OPEN = "2026-06-30T08:00:00Z"; // before the quarter: the state it opened with
const MID = "2026-08-15T08:00:00Z";
const CLOSE = "2026-10-01T08:00:00Z"; // after it: the state it closed with

const org = (
  takenAt: string,
  members: NonNullable<SnapshotSpec["members"]>,
  extra: Partial<SnapshotSpec> = {},
): SnapshotSpec => ({
  takenAt,
  members,
  teams: {},
  ...extra,
});

/** The verdicts over these snapshots; the repository is tracked only where a case reads it. */
const reasons = (specs: SnapshotSpec[]) => {
  const readsRepo = JSON.stringify(specs).includes(REPO);
  return a1AccessReview
    .evaluate(accessInput(specs, readsRepo ? [tracked()] : []))
    .map((f) => `${f.verdict} ${f.subject.id}: ${f.reason}`);
};

describe("A1 access review", () => {
  it.each<[string, SnapshotSpec[], string[]]>([
    [
      "a joiner and a leaver between the opening and closing snapshots",
      [
        org(OPEN, { alice: ["ADMIN", true], frank: ["MEMBER", true] }),
        org(CLOSE, { alice: ["ADMIN", true], erin: ["MEMBER", true] }),
      ],
      [
        `note erin: erin joined the organisation as MEMBER between ${OPEN} and ${CLOSE}`,
        `note frank: frank left the organisation (was MEMBER) between ${OPEN} and ${CLOSE}`,
      ],
    ],
    [
      "an escalation to owner is an exception, dated by the pair of snapshots in the period that bracket it",
      [
        org(OPEN, { carol: ["MEMBER", true] }),
        org(MID, { carol: ["MEMBER", true] }),
        org(CLOSE, { carol: ["ADMIN", true] }),
      ],
      [`exception carol: carol organisation role changed from MEMBER to ADMIN between ${MID} and ${CLOSE}`],
    ],
    [
      "team membership and a team's permission on a tracked repository",
      [
        org(OPEN, { bob: ["MEMBER", true] }, { teams: { devs: { members: {}, repos: { [REPO]: "WRITE" } } } }),
        org(
          CLOSE,
          { bob: ["MEMBER", true] },
          { teams: { devs: { members: { bob: "MEMBER" }, repos: { [REPO]: "ADMIN" } } } },
        ),
      ],
      [
        `note bob: bob joined team devs as MEMBER between ${OPEN} and ${CLOSE}`,
        `exception team devs: team devs permission on ${REPO} changed from WRITE to ADMIN between ${OPEN} and ${CLOSE}`,
        // Its collaborators were never read: who else gained access cannot be shown.
        `blocked ${REPO}: fewer than two access snapshots read ${REPO} in this period: changes to who may write to it cannot be shown`,
      ],
    ],
    [
      "a collaborator's permission raised to maintain",
      [
        org(OPEN, { bob: ["MEMBER", true] }, { collaborators: { [REPO]: { dave: ["WRITE", true] } } }),
        org(CLOSE, { bob: ["MEMBER", true] }, { collaborators: { [REPO]: { dave: ["MAINTAIN", true] } } }),
      ],
      [`exception dave: dave permission on ${REPO} changed from WRITE to MAINTAIN between ${OPEN} and ${CLOSE}`],
    ],
    [
      "a repository's collaborators compared across the runs that read it, apart from the organisation's",
      [
        org(OPEN, { bob: ["MEMBER", true] }),
        { takenAt: "2026-07-01T09:00:00Z", collaborators: { [REPO]: { dave: ["READ", true] } } },
        { takenAt: "2026-09-01T09:00:00Z", collaborators: { [REPO]: { dave: ["WRITE", true] } } },
        org(CLOSE, { bob: ["MEMBER", true] }),
      ],
      [
        `note dave: dave permission on ${REPO} changed from READ to WRITE between 2026-07-01T09:00:00Z and 2026-09-01T09:00:00Z`,
      ],
    ],
    [
      "a snapshot that did not read the members is skipped, never read as everyone leaving",
      [org(OPEN, { bob: ["MEMBER", true] }), { takenAt: MID }, org(CLOSE, { bob: ["MEMBER", true] })],
      [`pass acme: no access changed between ${OPEN} and ${CLOSE} (2 snapshots compared)`],
    ],
    [
      "a repository fewer than two runs read is not compared: blocked, and no pass covers it",
      [
        org(OPEN, { bob: ["MEMBER", true] }, { collaborators: { [REPO]: { dave: ["WRITE", true] } } }),
        org(CLOSE, { bob: ["MEMBER", true] }),
      ],
      [
        `blocked ${REPO}: fewer than two access snapshots read ${REPO} in this period: changes to who may write to it cannot be shown`,
      ],
    ],
    [
      "one snapshot cannot show a change: blocked",
      [org(MID, { bob: ["MEMBER", true] })],
      [
        `blocked acme: only one access snapshot that read the organisation's members (${MID}) shows this period: who joined or left cannot be shown`,
      ],
    ],
    [
      "a snapshot from the quarter before the opening one is not compared",
      [
        org("2026-05-01T00:00:00Z", { old: ["MEMBER", true] }),
        org(OPEN, { bob: ["MEMBER", true] }),
        org(CLOSE, { bob: ["MEMBER", true] }),
      ],
      [`pass acme: no access changed between ${OPEN} and ${CLOSE} (2 snapshots compared)`],
    ],
  ])("%s", (_name, specs, expected) => {
    expect(reasons(specs)).toEqual(expected);
  });

  it("names both snapshots in the evidence", () => {
    const [f] = a1AccessReview.evaluate(
      accessInput([org(OPEN, { a: ["MEMBER", true] }), org(CLOSE, { a: ["MEMBER", true], b: ["MEMBER", true] })]),
    );
    expect(f?.evidence).toEqual([
      { label: "before", value: `snapshot 1 taken at ${OPEN}` },
      { label: "after", value: `snapshot 2 taken at ${CLOSE}` },
    ]);
    expect(f?.criteria).toEqual(["CC6.1", "CC6.2", "CC6.3"]);
  });
});
