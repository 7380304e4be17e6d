import { describe, expect, it } from "vitest";
import type { Rewrite } from "../../../src/evidence/rewrites.js";
import { type BaseForcePush, c8HistoryRewrite } from "../../../src/evidence/rules/c8-history-rewrite.js";

const sha = (c: string): string => c.repeat(40);

const rewrite = (over: Partial<Rewrite> = {}): Rewrite => ({
  repo: "acme/gitops",
  branch: "main",
  oldTip: sha("a"),
  newTip: sha("b"),
  oldTipPresent: true,
  droppedCommits: 2,
  observedAt: "2026-08-02T10:00:00.000Z",
  notBefore: "2026-08-02T09:45:00.000Z",
  runId: 7,
  ...over,
});

const push = (over: Partial<BaseForcePush> = {}): BaseForcePush => ({
  repo: "acme/gitops",
  branch: "main",
  actor: "mallory",
  at: "2026-08-02T09:50:00Z",
  before: sha("a"),
  after: sha("b"),
  pullRequest: 31,
  ...over,
});

const evidence = (f: { evidence: { label: string; value: string }[] }, label: string) =>
  f.evidence.find((e) => e.label === label)?.value;

describe("C8 history rewrite", () => {
  it.each([
    [
      "a rewrite git observed, dated between two reads",
      [rewrite()],
      [],
      "between 2026-08-02T09:45:00.000Z and 2026-08-02T10:00:00.000Z",
      undefined,
    ],
    [
      "the same rewrite with GitHub's force-push event, naming who",
      [rewrite()],
      [push()],
      "force-pushed by mallory at 2026-08-02T09:50:00Z",
      "mallory",
    ],
    [
      "matched by the new tip alone (GitHub lost the old one)",
      [rewrite()],
      [push({ before: null })],
      "force-pushed by mallory",
      "mallory",
    ],
    [
      "a deleted account's force push",
      [rewrite()],
      [push({ actor: null })],
      "force-pushed by a deleted account",
      "(deleted account)",
    ],
  ])("%s", (_case, rewrites, pushes, reason, actor) => {
    const findings = c8HistoryRewrite.evaluate({ rewrites, baseForcePushes: pushes });
    expect(findings).toHaveLength(1);
    const [f] = findings;
    if (!f) throw new Error("no finding");
    expect(f).toMatchObject({
      rule: "C8",
      verdict: "rewrite",
      subject: { kind: "branch", id: "acme/gitops:main" },
      criteria: ["CC8.1"],
    });
    expect(f.reason).toContain(
      `main rewritten from ${"a".repeat(12)} to ${"b".repeat(12)}, 2 commits dropped, ${reason}`,
    );
    expect(evidence(f, "force-pushed by")).toBe(actor);
    expect(evidence(f, "old tip")).toBe(sha("a"));
  });

  it("reports a force push GitHub recorded that no git read saw, and does not join another branch's event", () => {
    const other = push({ branch: "release", before: sha("c"), after: sha("d") });
    const findings = c8HistoryRewrite.evaluate({ rewrites: [rewrite()], baseForcePushes: [other] });
    expect(findings.map((f) => f.subject.id)).toEqual(["acme/gitops:main", "acme/gitops:release"]);
    expect(findings[0]?.reason).toContain("between");
    expect(findings[1]?.reason).toBe(
      `release force-pushed by mallory at 2026-08-02T09:50:00Z from ${"c".repeat(12)} to ${"d".repeat(12)} (recorded by GitHub; not seen by a git read)`,
    );
  });

  it("finds nothing where nothing was rewritten", () => {
    expect(c8HistoryRewrite.evaluate({ rewrites: [], baseForcePushes: [] })).toEqual([]);
  });
});
