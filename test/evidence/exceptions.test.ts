import { describe, expect, it } from "vitest";
import type { ExceptionEntry } from "../../src/config/exceptions-register.js";
import { applyExceptions } from "../../src/evidence/exceptions.js";
import type { Finding } from "../../src/evidence/finding.js";

const finding = (id: string, rule: string, verdict: string): Finding => ({
  rule,
  subject: { kind: "change", id },
  verdict,
  reason: `${rule} ${verdict}`,
  criteria: ["CC8.1"],
  evidence: [],
});

const entry = (over: Partial<ExceptionEntry>): ExceptionEntry => ({
  change: "acme/payments#412",
  reason: "Emergency fix for INC-2031",
  approvedBy: "cto@acme.example",
  ticket: "INC-2031",
  reviewDue: "2026-08-15",
  at: "exceptions.yaml:2",
  ...over,
});

describe("accepted exceptions", () => {
  const findings = [
    finding("acme/payments#412", "C1", "not-reviewed"),
    finding("acme/payments#412", "C6", "merged-without-required-review"),
    finding("acme/payments#413", "C1", "not-reviewed"),
  ];

  it("accepts every finding of the change, keeping each verdict, or only the named rule's", () => {
    const all = applyExceptions(findings, [entry({})], "2026-08-01");
    expect(all.findings.map((f) => [f.subject.id, f.rule, f.verdict, f.accepted?.ticket ?? null])).toEqual([
      ["acme/payments#412", "C1", "not-reviewed", "INC-2031"],
      ["acme/payments#412", "C6", "merged-without-required-review", "INC-2031"],
      ["acme/payments#413", "C1", "not-reviewed", null],
    ]);
    const one = applyExceptions(findings, [entry({ rule: "C6" })], "2026-08-01");
    expect(one.findings.map((f) => f.accepted !== undefined)).toEqual([false, true, false]);
    expect(one.unmatched).toEqual([]);
  });

  it("is overdue once the review date has passed without the review recorded, not before, not after it is done", () => {
    const on = (today: string, over: Partial<ExceptionEntry> = {}) =>
      applyExceptions(findings, [entry(over)], today).findings[0]?.accepted?.overdue;
    expect(on("2026-08-15")).toBe(false);
    expect(on("2026-08-16")).toBe(true);
    expect(on("2026-09-30", { reviewedOn: "2026-08-10" })).toBe(false);
  });

  it("returns an entry that accepts nothing: a typo must not pass for an exception", () => {
    const typo = entry({ change: "acme/payments#421", at: "exceptions.yaml:9" });
    const wrongRule = entry({ rule: "C3", at: "exceptions.yaml:16" });
    const r = applyExceptions(findings, [typo, wrongRule], "2026-08-01");
    expect(r.unmatched.map((e) => e.at)).toEqual(["exceptions.yaml:9", "exceptions.yaml:16"]);
    expect(r.findings.every((f) => f.accepted === undefined)).toBe(true);
  });
});
