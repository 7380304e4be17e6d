import { describe, expect, it } from "vitest";
import type { ChangeRow } from "../../../src/reports/change-rows.js";
import { bars, weeklyReview, weeklyReviewSvg } from "../../../src/reports/charts/weekly-review.js";

const Q3 = { from: "2026-07-01T00:00:00.000Z", to: "2026-10-01T00:00:00.000Z" };
const change = (landedAt: string, c1: string): ChangeRow =>
  ({ landedAt, verdicts: [{ rule: "C1", verdict: c1, reason: "" }] }) as unknown as ChangeRow;

describe("changes per week, by review", () => {
  it("has every ISO week of the period, the first cut at its start, each change in the week it landed", () => {
    const weeks = weeklyReview(
      [
        change("2026-07-01T09:00:00Z", "reviewed"),
        change("2026-07-05T23:59:59Z", "not-reviewed"), // Sunday: still the first week
        change("2026-07-06T00:00:00Z", "n/a"), // Monday: the second
        change("2026-09-30T23:00:00Z", "blocked"),
        change("2026-10-01T00:00:00Z", "reviewed"), // after the period: not drawn
      ],
      Q3,
    );
    expect(weeks).toHaveLength(14);
    expect(weeks[0]).toEqual({
      start: "2026-07-01",
      label: "1 Jul",
      counts: { reviewed: 1, "not-reviewed": 1, "direct-push": 0, blocked: 0 },
    });
    expect(weeks[1]?.start).toBe("2026-07-06");
    expect(weeks[1]?.counts["direct-push"]).toBe(1);
    expect(weeks.at(-1)?.counts.blocked).toBe(1);
    expect(weeks.reduce((n, w) => n + Object.values(w.counts).reduce((a, b) => a + b, 0), 0)).toBe(4);
  });

  it("stacks each week's layers bottom up, the tallest week at full height", () => {
    const weeks = weeklyReview(
      [change("2026-07-01T09:00:00Z", "reviewed"), change("2026-07-02T09:00:00Z", "not-reviewed")],
      { from: Q3.from, to: "2026-07-15T00:00:00.000Z" },
    );
    const { bars: drawn, max } = bars(weeks, 300, 100);
    expect(max).toBe(2);
    expect(drawn.map((b) => [b.layer, b.y, b.height])).toEqual([
      ["reviewed", 50, 50],
      ["not-reviewed", 0, 50],
    ]);
    const svg = weeklyReviewSvg(weeks);
    // Inline in HTML: the parser gives it the SVG namespace, so it names no URL.
    expect(svg).toMatch(/^<svg class="chart" role="img"/);
    // The export's CSP refuses inline styles: presentation attributes only.
    expect(svg).not.toContain("style=");
    expect(svg.match(/<rect x=/g)).toHaveLength(2 + 4); // two segments, four legend keys
  });
});
