import { describe, expect, it } from "vitest";
import type { HistoryGap } from "../../../src/collectors/reconciler/history-gaps.js";
import type { LinkedDeployment } from "../../../src/evidence/deployments/linkage.js";
import type { Finding } from "../../../src/evidence/finding.js";
import {
  COLLECTION_KINDS,
  collectionTimeline,
  DEPLOYMENT_KINDS,
  deploymentTimeline,
  MAX_LANES,
  timelineGeometry,
  timelineSvg,
} from "../../../src/reports/charts/timeline.js";

const Q3 = { from: "2026-07-01T00:00:00.000Z", to: "2026-10-01T00:00:00.000Z" };

const deployment = (target: string, at: string, o: Partial<LinkedDeployment> = {}): LinkedDeployment =>
  ({
    id: `${target}@abc123abc123`,
    at,
    target,
    revision: "abc123abc123",
    automated: true,
    rollback: false,
    initiatedBy: null,
    ...o,
  }) as LinkedDeployment;

const gap = (cluster: string, name: string, after: string | null, before: string): HistoryGap =>
  ({ cluster, namespace: "apps", name, after, before, lost: 3, foundAt: before }) as HistoryGap;

const c9 = (d: LinkedDeployment): Finding => ({
  rule: "C9",
  verdict: "unexplained",
  subject: { kind: "deployment", id: `${d.id} ${d.at}` },
  reason: "",
  criteria: ["CC8.1"],
  evidence: [],
});

describe("timelines", () => {
  it("draws each target's deployments by how they were started, and the history its cluster dropped", () => {
    const bad = deployment("prod/apps/api", "2026-08-02T00:00:00Z");
    const t = deploymentTimeline(
      Q3,
      [
        deployment("prod/apps/api", "2026-07-02T00:00:00Z"),
        deployment("prod/apps/api", "2026-07-03T00:00:00Z", { automated: false, initiatedBy: "carol" }),
        deployment("prod/apps/api", "2026-07-04T00:00:00Z", { rollback: true, automated: false }),
        bad,
        deployment("prod/apps/web", "2026-06-30T00:00:00Z"), // before the period: not drawn
      ],
      [c9(bad)],
      [
        gap("prod", "web", "2026-06-01T00:00:00Z", "2026-07-10T00:00:00Z"),
        gap("prod", "old", null, "2026-05-01T00:00:00Z"),
      ],
    );
    expect(t.lanes.map((l) => l.label)).toEqual(["prod/apps/api", "prod/apps/web"]);
    expect(t.lanes[0]?.marks.map((m) => m.kind)).toEqual(["automated", "manual", "rollback", "unexplained"]);
    expect(t.lanes[0]?.marks[1]?.title).toContain("by carol");
    // A gap is cut to the period.
    expect(t.lanes[1]?.gaps).toEqual([expect.objectContaining({ from: Q3.from, to: "2026-07-10T00:00:00Z" })]);
    expect(t.omitted).toBe(0);
  });

  it("draws each cluster's reads against the deployments its history recorded", () => {
    const t = collectionTimeline(
      Q3,
      [
        { cluster: "prod", startedAt: "2026-07-15T00:00:00Z", status: "succeeded" },
        { cluster: "prod", startedAt: "2026-08-15T00:00:00Z", status: "failed" },
      ],
      [deployment("prod/apps/api", "2026-07-20T00:00:00Z")],
      [gap("prod", "api", "2026-07-15T00:00:00Z", "2026-08-15T00:00:00Z")],
    );
    expect(t.lanes).toHaveLength(1);
    expect(t.lanes[0]?.marks.map((m) => m.kind)).toEqual(["run", "deployed", "run-failed"]);
    expect(t.lanes[0]?.gaps).toHaveLength(1);
  });

  it("draws the busiest targets when there are too many, and says how many it left out", () => {
    const many = Array.from({ length: MAX_LANES + 6 }, (_, i) =>
      Array.from({ length: (i % 5) + 1 }, (_, k) =>
        deployment(`prod/apps/t${String(i).padStart(2, "0")}`, `2026-07-${String(k + 1).padStart(2, "0")}T00:00:00Z`),
      ),
    ).flat();
    const t = deploymentTimeline(Q3, many, [], []);
    expect(t.lanes).toHaveLength(MAX_LANES);
    expect(t.omitted).toBe(6);
    expect(Math.min(...t.lanes.map((l) => l.marks.length))).toBeGreaterThanOrEqual(2);
  });

  it("places marks in time across the plot, the same for the SVG and the PDF", () => {
    const t = deploymentTimeline(
      Q3,
      [deployment("a/b/c", Q3.from), deployment("a/b/c", "2026-08-15T12:00:00.000Z")],
      [],
      [],
    );
    const g = timelineGeometry(t, 1000, 200);
    const [first, mid] = g.lanes[0]?.marks ?? [];
    expect(first?.x).toBe(200);
    // 15 Aug 12:00 is 45.5 days into Q3's 92.
    expect(mid?.x).toBeCloseTo(200 + 790 * (45.5 / 92), 3);
    expect(g.ticks.map((x) => x.label)).toEqual(["Jul 2026", "Aug 2026", "Sep 2026"]);
  });

  it("escapes target names from the cluster and shows their control characters", () => {
    const t = deploymentTimeline(
      Q3,
      [deployment('prod/<img src=x onerror="alert(1)">/\u202Eevil', "2026-07-02T00:00:00Z")],
      [],
      [],
    );
    const svg = timelineSvg(t, DEPLOYMENT_KINDS);
    expect(svg).not.toContain("<img");
    expect(svg).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(svg).not.toContain("\u202E");
    expect(svg).toContain("⟨U+202E⟩");
    expect(svg).not.toMatch(/\sstyle=/);
    expect(timelineSvg(collectionTimeline(Q3, [], [], []), COLLECTION_KINDS)).toBe("");
  });
});
