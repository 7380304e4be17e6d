import { UTCDate } from "@date-fns/utc";
import { addWeeks, format, startOfISOWeek } from "date-fns";
import type { ChangeRow } from "../change-rows.js";

/**
 * Changes per week stacked by what review showed (C1): the picture an auditor looks at first,
 * whether unreviewed changes cluster (an incident, a release week). Weeks are ISO weeks in UTC,
 * the first and last cut by the period. Renderer-neutral data; svg() draws it for the HTML
 * export, and the PDF draws the same bars as vectors.
 */

/** The stack's layers, bottom first, with the colours both renderers use. */
export const REVIEW_LAYERS = [
  { key: "reviewed", label: "reviewed", colour: "#2da44e" },
  { key: "not-reviewed", label: "not reviewed", colour: "#cf222e" },
  { key: "direct-push", label: "direct push", colour: "#bf8700" },
  { key: "blocked", label: "blocked (data missing)", colour: "#8c959f" },
] as const;

export type ReviewLayer = (typeof REVIEW_LAYERS)[number]["key"];

export interface WeekCounts {
  /** The week's first day in the period (YYYY-MM-DD), and how it is labelled. */
  start: string;
  label: string;
  counts: Record<ReviewLayer, number>;
}

const layerOf = (c: ChangeRow): ReviewLayer => {
  const c1 = c.verdicts.find((v) => v.rule === "C1")?.verdict;
  if (c1 === "reviewed") return "reviewed";
  if (c1 === "not-reviewed") return "not-reviewed";
  if (c1 === "n/a") return "direct-push";
  return "blocked";
};

const zero = (): Record<ReviewLayer, number> => ({ reviewed: 0, "not-reviewed": 0, "direct-push": 0, blocked: 0 });

/** Every week of [from, to), each change counted in the week it landed (weeks with none too). */
export function weeklyReview(changes: readonly ChangeRow[], period: { from: string; to: string }): WeekCounts[] {
  return new WeeklyReview(period).add(changes).weeks();
}

/** The same counts kept as rows come (a report reads its rows a repository at a time). */
export class WeeklyReview {
  readonly #from: number;
  readonly #to: number;
  readonly #weeks: WeekCounts[] = [];

  constructor(period: { from: string; to: string }) {
    const from = new UTCDate(Date.parse(period.from));
    this.#from = from.getTime();
    this.#to = Date.parse(period.to);
    // Bounded: a period of years is shown by its first 260 weeks' bars at most.
    for (let w = startOfISOWeek(from); w.getTime() < this.#to && this.#weeks.length < 260; w = addWeeks(w, 1)) {
      const start = w.getTime() < from.getTime() ? from : w;
      this.#weeks.push({ start: format(start, "yyyy-MM-dd"), label: format(start, "d MMM"), counts: zero() });
    }
  }

  add(changes: readonly ChangeRow[]): this {
    for (const c of changes) {
      const at = Date.parse(c.landedAt);
      if (Number.isNaN(at) || at < this.#from || at >= this.#to) continue;
      const day = format(new UTCDate(at), "yyyy-MM-dd");
      let i = this.#weeks.length - 1;
      while (i > 0 && (this.#weeks[i]?.start ?? "") > day) i--;
      const week = this.#weeks[i];
      if (week) week.counts[layerOf(c)]++;
    }
    return this;
  }

  weeks(): WeekCounts[] {
    return this.#weeks;
  }
}

/** The bars' geometry, shared by the SVG and the PDF so both draw the same picture. */
export interface Bar {
  x: number;
  y: number;
  width: number;
  height: number;
  colour: string;
  layer: ReviewLayer;
  count: number;
  week: string;
}

export function bars(
  weeks: readonly WeekCounts[],
  width: number,
  height: number,
): { bars: Bar[]; max: number; slot: number } {
  const max = Math.max(1, ...weeks.map((w) => REVIEW_LAYERS.reduce((n, l) => n + w.counts[l.key], 0)));
  const slot = weeks.length > 0 ? width / weeks.length : width;
  const out: Bar[] = [];
  weeks.forEach((w, i) => {
    let top = height;
    for (const l of REVIEW_LAYERS) {
      const n = w.counts[l.key];
      if (n === 0) continue;
      const h = (n / max) * height;
      top -= h;
      out.push({
        x: i * slot + slot * 0.15,
        y: top,
        width: slot * 0.7,
        height: h,
        colour: l.colour,
        layer: l.key,
        count: n,
        week: w.start,
      });
    }
  });
  return { bars: out, max, slot };
}

const r1 = (n: number): string => (Math.round(n * 10) / 10).toString();

/**
 * The chart as inline SVG for HTML (no xmlns: the HTML parser gives it its namespace, and the
 * export names no URL): presentation attributes only (no style attribute, which the export's
 * Content-Security-Policy refuses), and nothing from the data but numbers and dates.
 */
export function weeklyReviewSvg(weeks: readonly WeekCounts[]): string {
  const W = 720;
  const H = 180;
  const left = 36;
  const top = 10;
  const { bars: drawn, max, slot } = bars(weeks, W - left, H);
  const rects = drawn
    .map(
      (b) =>
        `<rect x="${r1(left + b.x)}" y="${r1(top + b.y)}" width="${r1(b.width)}" height="${r1(b.height)}" fill="${b.colour}"><title>week of ${b.week}: ${b.count} ${REVIEW_LAYERS.find((l) => l.key === b.layer)?.label}</title></rect>`,
    )
    .join("");
  const every = Math.max(1, Math.ceil(weeks.length / 14));
  const labels = weeks
    .map((w, i) =>
      i % every === 0
        ? `<text x="${r1(left + i * slot + slot / 2)}" y="${top + H + 14}" text-anchor="middle" font-size="10" fill="#57606a">${w.label}</text>`
        : "",
    )
    .join("");
  const legend = REVIEW_LAYERS.map(
    (l, i) =>
      `<rect x="${left + i * 150}" y="${top + H + 24}" width="10" height="10" fill="${l.colour}"/><text x="${left + i * 150 + 14}" y="${top + H + 33}" font-size="11" fill="#24292f">${l.label}</text>`,
  ).join("");
  const axis = `<line x1="${left}" y1="${top + H}" x2="${W}" y2="${top + H}" stroke="#8c959f"/><text x="${left - 4}" y="${top + 8}" text-anchor="end" font-size="10" fill="#57606a">${max}</text><text x="${left - 4}" y="${top + H}" text-anchor="end" font-size="10" fill="#57606a">0</text>`;
  return `<svg class="chart" role="img" viewBox="0 0 ${W} ${top + H + 44}" width="${W}" height="${top + H + 44}"><title>Changes per week by review</title>${axis}${rects}${labels}${legend}</svg>`;
}
