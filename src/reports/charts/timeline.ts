import { UTCDate } from "@date-fns/utc";
import { addMonths, format, startOfMonth } from "date-fns";
import type { HistoryGap } from "../../collectors/reconciler/history-gaps.js";
import type { LinkedDeployment } from "../../evidence/deployments/linkage.js";
import type { Finding } from "../../evidence/finding.js";
import { deploymentSubject } from "../../evidence/rules/c9-deployed-unexplained.js";
import { compareText } from "../../util/compare.js";
import { getOrInsert } from "../../util/get-or-insert.js";
import { visibleControls } from "../../util/visible.js";

/**
 * Timelines over the period, one lane per deployment target or per cluster: marks at instants
 * (deployments, collection runs) and spans (history the cluster dropped). Two pictures use them:
 * per target, its deployments with manual syncs, rollbacks and gaps (what ran, and how it got
 * there); per cluster, when changeproof read it against how often its history turned over (why a
 * gap happened: more deployments between two reads than the reconciler keeps). Renderer-neutral:
 * timelineSvg draws it for the HTML export, the PDF draws the same geometry as vectors.
 */

export type MarkKind = "automated" | "manual" | "rollback" | "unexplained" | "run" | "run-failed" | "deployed";
export const MARK_STYLE: Record<MarkKind, { label: string; colour: string }> = {
  automated: { label: "automated deployment", colour: "#2da44e" },
  manual: { label: "manual sync", colour: "#bf8700" },
  rollback: { label: "rollback", colour: "#8250df" },
  unexplained: { label: "unexplained (C9)", colour: "#cf222e" },
  run: { label: "collection run", colour: "#0969da" },
  "run-failed": { label: "failed run", colour: "#cf222e" },
  deployed: { label: "history entry (deployment)", colour: "#8c959f" },
};
export const GAP_COLOUR = "#ffb3b3";

export interface Lane {
  label: string;
  marks: { at: string; kind: MarkKind; title: string }[];
  gaps: { from: string; to: string; title: string }[];
}

export interface Timeline {
  from: string;
  to: string;
  lanes: Lane[];
  /** Lanes left out (the picture shows the busiest), said under it. */
  omitted: number;
}

/** The most lanes a picture draws, and marks per lane: a picture is for looking, the tables list everything. */
export const MAX_LANES = 24;
const MAX_MARKS = 400;

const inPeriod = (at: string, from: string, to: string): boolean => at >= from && at < to;

function bounded(lanes: Lane[], from: string, to: string): Timeline {
  const busiest = [...lanes].sort((a, b) => b.marks.length - a.marks.length || compareText(a.label, b.label));
  const kept = busiest.slice(0, MAX_LANES).sort((a, b) => compareText(a.label, b.label));
  for (const l of kept) {
    l.label = visibleControls(l.label);
    if (l.marks.length > MAX_MARKS) l.marks = l.marks.slice(0, MAX_MARKS);
  }
  return { from, to, lanes: kept, omitted: Math.max(0, lanes.length - kept.length) };
}

const gapSpan = (g: HistoryGap, from: string, to: string): Lane["gaps"][number] => ({
  from: g.after && g.after > from ? g.after : from,
  to: g.before < to ? g.before : to,
  title: visibleControls(
    `${g.lost === null ? "entries" : `${g.lost} entr${g.lost === 1 ? "y" : "ies"}`} dropped by the cluster between ${g.after ?? "?"} and ${g.before} (found ${g.foundAt})`,
  ),
});

const touches = (g: HistoryGap, from: string, to: string): boolean => (g.after ?? from) < to && g.before >= from;

/** Per deployment target: its deployments of the period, how each was started, and its history gaps. */
export function deploymentTimeline(
  period: { from: string; to: string },
  deployments: readonly LinkedDeployment[],
  verdicts: readonly Finding[],
  gaps: readonly HistoryGap[],
): Timeline {
  const unexplained = new Set(
    verdicts.filter((f) => f.rule === "C9" && f.verdict === "unexplained").map((f) => f.subject.id),
  );
  const lanes = new Map<string, Lane>();
  const lane = (label: string): Lane => getOrInsert(lanes, label, () => ({ label, marks: [], gaps: [] }));
  for (const d of deployments) {
    if (!inPeriod(d.at, period.from, period.to)) continue;
    const kind: MarkKind = unexplained.has(deploymentSubject(d).id)
      ? "unexplained"
      : d.rollback
        ? "rollback"
        : d.automated === false
          ? "manual"
          : "automated";
    lane(d.target).marks.push({
      at: d.at,
      kind,
      title: visibleControls(
        `${d.at} ${MARK_STYLE[kind].label}: ${d.revision.slice(0, 12)}${d.initiatedBy ? ` by ${d.initiatedBy}` : ""}`,
      ),
    });
  }
  for (const g of gaps) {
    if (!touches(g, period.from, period.to)) continue;
    lane(`${g.cluster}/${g.namespace}/${g.name}`).gaps.push(gapSpan(g, period.from, period.to));
  }
  return bounded([...lanes.values()], period.from, period.to);
}

/**
 * Per cluster: the collection runs that read it, the deployments its history recorded, and the
 * history it dropped between two reads.
 */
export function collectionTimeline(
  period: { from: string; to: string },
  runs: readonly { cluster: string; startedAt: string; status: string }[],
  deployments: readonly LinkedDeployment[],
  gaps: readonly HistoryGap[],
): Timeline {
  const lanes = new Map<string, Lane>();
  const lane = (label: string): Lane => getOrInsert(lanes, label, () => ({ label, marks: [], gaps: [] }));
  for (const d of deployments) {
    if (!inPeriod(d.at, period.from, period.to)) continue;
    const cluster = d.target.split("/")[0] ?? d.target;
    lane(cluster).marks.push({ at: d.at, kind: "deployed", title: visibleControls(`${d.at} ${d.target}`) });
  }
  for (const r of runs) {
    if (!inPeriod(r.startedAt, period.from, period.to)) continue;
    const failed = r.status !== "succeeded";
    lane(r.cluster).marks.push({
      at: r.startedAt,
      kind: failed ? "run-failed" : "run",
      title: visibleControls(`${r.startedAt} collection run ${r.status}`),
    });
  }
  for (const g of gaps) {
    if (!touches(g, period.from, period.to)) continue;
    lane(g.cluster).gaps.push(gapSpan(g, period.from, period.to));
  }
  // Runs drawn over deployments: a lane's marks in time order, runs last at equal times.
  for (const l of lanes.values()) l.marks.sort((a, b) => compareText(a.at, b.at));
  return bounded([...lanes.values()], period.from, period.to);
}

/** The drawing, shared by the SVG and the PDF so both draw the same picture. */
export interface TimelineGeometry {
  width: number;
  height: number;
  labelWidth: number;
  laneHeight: number;
  lanes: {
    y: number;
    /** Cut to fit beside the plot; `full` is shown on hover. */
    label: string;
    full: string;
    gaps: { x: number; width: number; title: string }[];
    marks: { x: number; kind: MarkKind; colour: string; title: string }[];
  }[];
  /** Month starts along the axis. */
  ticks: { x: number; label: string }[];
}

export function timelineGeometry(t: Timeline, width: number, labelWidth = 190): TimelineGeometry {
  const laneHeight = 18;
  const from = Date.parse(t.from);
  const to = Date.parse(t.to);
  const span = Math.max(1, to - from);
  const plot = width - labelWidth - 10;
  const x = (iso: string): number => {
    const at = Math.min(to, Math.max(from, Date.parse(iso)));
    return labelWidth + ((at - from) / span) * plot;
  };
  const ticks: TimelineGeometry["ticks"] = [];
  // Month starts in UTC, as every period is.
  for (let m = startOfMonth(new UTCDate(from)); m.getTime() < to && ticks.length < 60; m = addMonths(m, 1)) {
    if (m.getTime() >= from) ticks.push({ x: x(m.toISOString()), label: format(m, "MMM yyyy") });
  }
  return {
    width,
    height: t.lanes.length * laneHeight + 22,
    labelWidth,
    laneHeight,
    ticks,
    lanes: t.lanes.map((l, i) => ({
      y: i * laneHeight,
      label: l.label.length > 34 ? `…${l.label.slice(-33)}` : l.label,
      full: l.label,
      gaps: l.gaps.map((g) => ({ x: x(g.from), width: Math.max(2, x(g.to) - x(g.from)), title: g.title })),
      marks: l.marks.map((m) => ({ x: x(m.at), kind: m.kind, colour: MARK_STYLE[m.kind].colour, title: m.title })),
    })),
  };
}

const esc = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

/**
 * The timeline as inline SVG: no style attribute (the CSP allows none), colours as attributes,
 * every label and title escaped (target names come from the cluster).
 */
export function timelineSvg(t: Timeline, kinds: readonly MarkKind[], width = 1100): string {
  if (t.lanes.length === 0) return "";
  const g = timelineGeometry(t, width);
  const legendY = g.height + 6;
  const out: string[] = [
    `<svg role="img" viewBox="0 0 ${width} ${legendY + 16}" width="100%" font-size="11" font-family="sans-serif">`,
  ];
  for (const tick of g.ticks) {
    out.push(
      `<line x1="${tick.x.toFixed(1)}" x2="${tick.x.toFixed(1)}" y1="0" y2="${g.height - 20}" stroke="#d0d7de"/>`,
      `<text x="${(tick.x + 2).toFixed(1)}" y="${g.height - 8}" fill="#57606a">${esc(tick.label)}</text>`,
    );
  }
  for (const l of g.lanes) {
    const mid = l.y + g.laneHeight / 2;
    out.push(
      `<text x="0" y="${(mid + 4).toFixed(1)}" fill="#24292f"><title>${esc(l.full)}</title>${esc(l.label)}</text>`,
      `<line x1="${g.labelWidth}" x2="${width - 10}" y1="${mid}" y2="${mid}" stroke="#eaeef2"/>`,
    );
    for (const s of l.gaps) {
      out.push(
        `<rect class="gap" x="${s.x.toFixed(1)}" y="${l.y + 2}" width="${s.width.toFixed(1)}" height="${g.laneHeight - 4}" fill="${GAP_COLOUR}"><title>${esc(s.title)}</title></rect>`,
      );
    }
    for (const m of l.marks) {
      out.push(
        `<rect class="mark ${m.kind}" x="${(m.x - 1.5).toFixed(1)}" y="${l.y + 3}" width="3" height="${g.laneHeight - 6}" fill="${m.colour}"><title>${esc(m.title)}</title></rect>`,
      );
    }
  }
  let lx = 0;
  for (const k of [...kinds, "gap" as const]) {
    const colour = k === "gap" ? GAP_COLOUR : MARK_STYLE[k].colour;
    const label = k === "gap" ? "history dropped by the cluster" : MARK_STYLE[k].label;
    out.push(
      `<rect x="${lx}" y="${legendY}" width="9" height="9" fill="${colour}"/>`,
      `<text x="${lx + 13}" y="${legendY + 9}" fill="#24292f">${esc(label)}</text>`,
    );
    lx += 30 + label.length * 6;
  }
  out.push("</svg>");
  return out.join("");
}

export const DEPLOYMENT_KINDS: readonly MarkKind[] = ["automated", "manual", "rollback", "unexplained"];
export const COLLECTION_KINDS: readonly MarkKind[] = ["deployed", "run", "run-failed"];
