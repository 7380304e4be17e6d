import { describe, expect, it } from "vitest";
import { a3OutsideAndTwoFactor } from "../../../src/evidence/rules/a3-outside-and-two-factor.js";
import { accessInput, REPO, type SnapshotSpec } from "../../helpers/access-world.js";

const CLOSE = "2026-10-01T08:00:00Z";

const verdicts = (specs: SnapshotSpec[]) =>
  a3OutsideAndTwoFactor.evaluate(accessInput(specs)).map((f) => `${f.verdict} ${f.subject.id}: ${f.reason}`);

describe("A3 outside collaborators and two-factor authentication", () => {
  it.each<[string, SnapshotSpec, string[]]>([
    [
      "an outside collaborator with write, and one with read (not listed)",
      {
        takenAt: CLOSE,
        members: { alice: ["ADMIN", true] },
        collaborators: { [REPO]: { dave: ["WRITE", true], eve: ["READ", true], alice: ["ADMIN", false] } },
      },
      [`exception dave: dave is an outside collaborator with WRITE on ${REPO}`],
    ],
    [
      "a collaborator whose membership the run could not tell is a note",
      { takenAt: CLOSE, members: { alice: ["ADMIN", true] }, collaborators: { [REPO]: { dave: ["MAINTAIN", null] } } },
      [
        `note dave: dave has MAINTAIN on ${REPO}; whether an outside collaborator is unknown (the run did not read the organisation's members)`,
      ],
    ],
    [
      "a member without two-factor authentication",
      { takenAt: CLOSE, members: { alice: ["ADMIN", true], carol: ["MEMBER", false] } },
      ["exception carol: carol, an organisation member, has no two-factor authentication"],
    ],
    [
      "credentials that are not an owner's cannot see two-factor status",
      { takenAt: CLOSE, twoFactorVisible: false, members: { alice: ["ADMIN", null] } },
      ["blocked acme: two-factor status unknown: the credentials are not an owner's"],
    ],
    [
      "nobody of either kind",
      { takenAt: CLOSE, members: { alice: ["ADMIN", true] }, collaborators: { [REPO]: { bob: ["WRITE", false] } } },
      ["pass acme: no outside collaborator with write access and no member without two-factor authentication"],
    ],
  ])("%s", (_name, spec, expected) => {
    expect(verdicts([spec])).toEqual(expected);
  });
});
