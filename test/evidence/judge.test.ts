import { describe, expect, it } from "vitest";
import type { ExceptionEntry } from "../../src/config/exceptions-register.js";
import { judge } from "../../src/evidence/judge.js";
import { changeRules } from "../../src/evidence/rules/index.js";
import {
  directPush,
  PR1,
  populationOf,
  pull,
  REPO,
  review,
  sha,
  squashMerge,
  verified,
  world,
} from "../helpers/population-world.js";

// #1: reviewed, verified, protection met: nothing to find. #2: merged by carol with no review under
// a rule requiring one. A signed, verified push by carol.
const PUSH = `${REPO}@${sha("hotfix")}`;
const PR2 = `${REPO}#2`;
const population = populationOf(
  world(
    squashMerge(pull()),
    squashMerge(
      pull({
        number: 2,
        headOid: sha("pr2 head"),
        commits: [
          {
            oid: sha("pr2 head"),
            author: { name: "Alice Adams", email: "alice@acme.example", login: "alice" },
            signature: verified("alice"),
          },
        ],
        reviews: [review("bob", sha("pr2 head"), "2026-08-02T08:00:00Z", { state: "COMMENTED" })],
        mergedBy: "carol",
        mergedAt: "2026-08-02T12:00:00Z",
        reviewDecision: "REVIEW_REQUIRED",
      }),
    ),
    directPush({
      sha: sha("hotfix"),
      signature: "ssh",
      github: { prs: [], authorLogin: "carol", committerLogin: "carol", signature: verified("carol", "SshSignature") },
    }),
    { snapshots: [{ id: 1, at: "2026-07-15T00:00:00Z", rules: [{ pattern: "main", approvals: 1 }] }] },
  ),
);

const entry = (over: Partial<ExceptionEntry> = {}): ExceptionEntry => ({
  change: PR2,
  reason: "Emergency fix for INC-2031, reviewed after the fact",
  approvedBy: "cto@acme.example",
  ticket: "INC-2031",
  reviewDue: "2026-08-15",
  at: "exceptions.yaml:2",
  ...over,
});

const run = (exceptions: ExceptionEntry[] = [], today = "2026-08-10") =>
  judge({ population, rewrites: [], baseForcePushes: [], exceptions, today });

const flat = (fs: { rule: string; subject: { id: string }; verdict: string }[]) =>
  fs.map((f) => `${f.rule} ${f.subject.id} ${f.verdict}`);

describe("judge", () => {
  it("gives every change a verdict from each change rule, in registry order", () => {
    const j = run();
    expect([...j.byChange.keys()].sort()).toEqual([PR1, PR2, PUSH].sort());
    for (const id of [PR1, PR2, PUSH]) {
      expect(j.byChange.get(id)?.map((f) => f.rule)).toEqual(changeRules.map((r) => r.doc.id));
    }
    expect(j.byChange.get(PR1)?.map((f) => f.verdict)).toEqual([
      "reviewed",
      "pass",
      "pass",
      "pass",
      "pass",
      "pass",
      "pass",
      "pass",
      "n/a",
    ]);
    expect(j.byChange.get(PUSH)?.map((f) => `${f.rule} ${f.verdict}`)).toEqual([
      "C1 n/a",
      "C2 n/a",
      "C3 n/a",
      "C4 n/a",
      "C5 n/a",
      "C6 n/a",
      "C7 direct-push",
      "C11 pass",
      "C12 n/a",
    ]);
  });

  it("lists as findings every verdict but pass and n/a (and C1's reviewed), sorted by rule then subject", () => {
    expect(flat(run().findings)).toEqual([
      `C1 ${PR2} not-reviewed`,
      `C6 ${PR2} merged-without-required-review`,
      `C7 ${PUSH} direct-push`,
    ]);
    expect(run().unmatched).toEqual([]);
  });

  it("a register entry accepting a change's findings marks each accepted and keeps its verdict", () => {
    const j = run([entry()]);
    expect(flat(j.findings)).toEqual([
      `C1 ${PR2} not-reviewed`,
      `C6 ${PR2} merged-without-required-review`,
      `C7 ${PUSH} direct-push`,
    ]);
    expect(j.findings.map((f) => f.accepted?.ticket ?? null)).toEqual(["INC-2031", "INC-2031", null]);
    expect(j.findings[0]?.accepted).toMatchObject({
      at: "exceptions.yaml:2",
      approvedBy: "cto@acme.example",
      reviewDue: "2026-08-15",
      reviewedOn: null,
      overdue: false,
    });
    expect(j.unmatched).toEqual([]);
  });

  it("an entry naming one rule accepts that rule's finding only", () => {
    const j = run([entry({ rule: "C6" })]);
    expect(j.findings.map((f) => [f.rule, f.accepted !== undefined])).toEqual([
      ["C1", false],
      ["C6", true],
      ["C7", false],
    ]);
  });

  it.each([
    { name: "review due tomorrow", today: "2026-08-14", reviewedOn: undefined, overdue: false },
    { name: "review due today is not late yet", today: "2026-08-15", reviewedOn: undefined, overdue: false },
    { name: "review past due and not done", today: "2026-08-16", reviewedOn: undefined, overdue: true },
    { name: "review past due but done", today: "2026-08-16", reviewedOn: "2026-08-12", overdue: false },
  ])("overdue: $name", ({ today, reviewedOn, overdue }) => {
    const j = run([entry({ rule: "C7", change: PUSH, ...(reviewedOn ? { reviewedOn } : {}) })], today);
    const c7 = j.findings.find((f) => f.rule === "C7");
    expect(c7).toMatchObject({ verdict: "direct-push", accepted: { overdue } });
    const register = j.findings.filter((f) => f.rule === "register");
    expect(register.map((f) => `${f.subject.id} ${f.verdict}`)).toEqual(overdue ? [`${PUSH} overdue`] : []);
    if (overdue) {
      expect(register[0]?.reason).toBe(
        "the after-the-fact review of C7 (direct-push) was due 2026-08-15 and is not recorded as done (INC-2031)",
      );
      // Register findings sort after the rules'.
      expect(j.findings[j.findings.length - 1]?.rule).toBe("register");
    }
  });

  it("an entry that matches no change adds a register/unmatched finding", () => {
    const typo = entry({ change: `${REPO}#99`, at: "exceptions.yaml:9" });
    const j = run([typo]);
    expect(j.unmatched).toEqual([typo]);
    const f = j.findings.find((x) => x.rule === "register");
    expect(f).toMatchObject({
      verdict: "unmatched",
      subject: { kind: "change", id: `${REPO}#99` },
      reason: `the register entry at exceptions.yaml:9 accepts ${REPO}#99, which has no such finding in this period`,
    });
    expect(j.findings.every((x) => x.accepted === undefined)).toBe(true);
  });

  it("an entry naming a rule the change has no finding of is unmatched", () => {
    const j = run([entry({ change: PUSH, rule: "C8" })]);
    expect(flat(j.findings.filter((f) => f.rule === "register"))).toEqual([`register ${PUSH} unmatched`]);
    expect(j.findings.find((f) => f.rule === "register")?.reason).toContain(`accepts C8 of ${PUSH}`);
  });

  // BUG (src/evidence/judge.ts): applyExceptions is given every verdict, pass and n/a included, so
  // an entry that accepts only passing verdicts counts as used and is never reported unmatched,
  // though its reason says "which has no such finding in this period".
  it("an entry naming a rule whose verdict on the change is pass is unmatched", () => {
    const j = run([entry({ change: PUSH, rule: "C11" })]);
    expect(j.byChange.get(PUSH)?.find((f) => f.rule === "C11")?.verdict).toBe("pass");
    expect(flat(j.findings.filter((f) => f.rule === "register"))).toEqual([`register ${PUSH} unmatched`]);
  });

  it("an entry naming a change with no finding at all (reviewed, all pass) is unmatched", () => {
    const j = run([entry({ change: PR1 })]);
    expect(j.unmatched.map((e) => e.change)).toEqual([PR1]);
  });
});
