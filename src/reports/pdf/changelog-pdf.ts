import { createWriteStream } from "node:fs";
import PDFDocument from "pdfkit";
import { CONFLICT_TEXT } from "../../evidence/duties.js";
import { reconciliationText } from "../../evidence/rules/p1-completeness.js";
import { bars, REVIEW_LAYERS, type WeekCounts } from "../charts/weekly-review.js";
import { plural } from "../labels.js";
import type { ChangeLogReport } from "../model.js";
import { presentable } from "../presentable.js";
import { BOLD, FONT, fit, MONO } from "./fonts.js";

/**
 * The change log as a PDF for auditors: a cover with scope, completeness and gaps, the method,
 * then one table per protected branch. Fonts ship as npm packages (see fonts.ts), so any name or
 * subject from git either renders or shows as a visible [U+XXXX] token.
 */

type Doc = PDFKit.PDFDocument;

interface Column {
  title: string;
  width: number;
  mono?: boolean;
}

const MARGIN = 40;

/**
 * A table cell longer than this is cut, so no row is taller than a page and a change's columns
 * stay together; the JSON population carries the full text.
 */
export const CELL_LIMIT = 600;

function capped(text: string): string {
  return text.length <= CELL_LIMIT
    ? text
    : `${text.slice(0, CELL_LIMIT)}… [${text.length - CELL_LIMIT} more characters in changes.json]`;
}

function ensureSpace(doc: Doc, needed: number): void {
  if (doc.y + needed > doc.page.height - MARGIN) doc.addPage();
}

function heading(doc: Doc, text: string, size = 14): void {
  // A heading is never the last thing on a page: keep room for what follows it.
  ensureSpace(doc, size * 3 + 70);
  doc
    .moveDown(0.6)
    .font(BOLD)
    .fontSize(size)
    .fillColor("#000")
    .text(text, MARGIN, doc.y, { width: doc.page.width - 2 * MARGIN });
  doc.moveDown(0.3).font(FONT).fontSize(9);
}

/** A bordered table; a page break repeats the header, under "<caption> (continued)". */
function table(doc: Doc, columns: readonly Column[], rows: readonly string[][], caption?: string): void {
  const size = 8;
  const pad = 3;
  const drawRow = (raw: readonly string[], bold: boolean): void => {
    // Each cell gets the font that has its characters (see fonts.ts), set once for measuring and drawing.
    const cells = raw.map((c, i) => fit(capped(c), bold ? BOLD : columns[i]?.mono ? MONO : FONT));
    doc.fontSize(size);
    const heights = cells.map((c, i) => {
      doc.font(c.font);
      return doc.heightOfString(c.text, { width: (columns[i]?.width ?? 50) - 2 * pad });
    });
    const h = Math.max(...heights) + 2 * pad;
    if (doc.y + h > doc.page.height - MARGIN) {
      doc.addPage();
      if (caption) {
        doc.font(BOLD).fontSize(9).fillColor("#000").text(`${caption} (continued)`, MARGIN, doc.y);
        doc.moveDown(0.3);
      }
      if (!bold)
        drawRow(
          columns.map((c) => c.title),
          true,
        );
    }
    const y = doc.y;
    let x = MARGIN;
    cells.forEach((c, i) => {
      const col = columns[i];
      const w = col?.width ?? 50;
      if (bold) doc.rect(x, y, w, h).fillAndStroke("#eef1f4", "#c8ccd0");
      else doc.rect(x, y, w, h).stroke("#c8ccd0");
      doc
        .fillColor("#000")
        .font(c.font)
        .fontSize(size)
        .text(c.text, x + pad, y + pad, { width: w - 2 * pad });
      x += w;
    });
    doc.x = MARGIN;
    doc.y = y + h;
  };
  // A header alone at the foot of a page is useless: keep room for it and a first row.
  ensureSpace(doc, 70);
  drawRow(
    columns.map((c) => c.title),
    true,
  );
  for (const r of rows) drawRow(r, false);
  doc.moveDown(0.5);
}

const day = (iso: string): string => iso.replace("T", " ").slice(0, 16);

export function renderChangeLogPdf(raw: ChangeLogReport, file: string): Promise<void> {
  const report = presentable(raw);
  const doc = new PDFDocument({
    size: "A4",
    layout: "landscape",
    margin: MARGIN,
    bufferPages: true,
    info: {
      Title: report.title,
      Author: `changeproof ${report.toolVersion}`,
      Subject: `Change management evidence, period ${report.period.label}`,
      CreationDate: new Date(report.generatedAt),
    },
  });
  const out = createWriteStream(file);
  const finished = new Promise<void>((resolve, reject) => {
    out.on("finish", resolve);
    out.on("error", reject);
    doc.on("error", reject);
  });
  doc.pipe(out);
  const width = doc.page.width - 2 * MARGIN;

  // Cover: scope, period, completeness.
  doc.font(BOLD).fontSize(22).text(report.title, { width });
  doc.moveDown(0.3).font(FONT).fontSize(10).fillColor("#333");
  doc.text(`Period ${report.period.label}: ${report.period.display}`, { width });
  doc.text(`Generated ${report.generatedAt} by changeproof ${report.toolVersion}`, { width });
  doc.text(`Repositories: ${report.repos.map((r) => `${r.name} (${r.role})`).join(", ") || "none"}`, { width });
  doc.moveDown(0.6);
  if (report.coverage.gaps.length > 0) {
    doc.font(BOLD).fontSize(13).fillColor("#b00020").text("Evidence is incomplete", { width });
    doc.font(FONT).fontSize(10);
    for (const g of report.coverage.gaps) {
      const f = fit(`• ${g}`);
      doc.font(f.font).text(f.text, { width });
    }
  } else {
    doc
      .font(BOLD)
      .fontSize(12)
      .fillColor("#1a7f37")
      .text("No gaps: every tracked repository was collected through the period; the run ledger is intact.", {
        width,
      });
  }
  doc.fillColor("#000").font(FONT).fontSize(10).moveDown(0.6);
  const t = report.totals;
  doc.text(
    `Changes on protected branches: ${t.changes} (${plural(t.pullRequests, "merged pull request")}, ${t.directPushes} direct push${t.directPushes === 1 ? "" : "es"}${t.unknown ? `, ${t.unknown} that cannot be told apart without GitHub's data` : ""}); findings: ${t.findings}`,
    { width },
  );
  doc.text(
    `Changes later dropped from their branch by a rewrite: ${t.dropped}; history rewrites observed: ${t.rewrites}`,
    {
      width,
    },
  );
  const l = report.coverage.ledger;
  doc.text(
    `Collection-run ledger: ${plural(l.sealed, "sealed run")}, hash chain ${l.intact ? "intact" : "BROKEN"}${l.head ? `, head ${l.head}` : ""}`,
    { width },
  );
  doc.text(`Runs used by this report: ${report.coverage.runsUsed.join(", ") || "none"}`, { width });

  heading(doc, "Changes per week, by review");
  weeklyChart(doc, report.charts.weeklyReview, width);

  heading(doc, "How this evidence was produced");
  for (const m of report.method) doc.text(`• ${m}`, { width });
  doc.moveDown(0.4);
  table(
    doc,
    [
      { title: "Repository", width: 180 },
      { title: "Last successful collection", width: 200 },
      { title: "Latest run", width: 300 },
      { title: "Runs started in the period", width: width - 680 },
    ],
    report.coverage.repos.map((r) => [
      r.repo,
      r.lastSucceeded ? `run ${r.lastSucceeded.id}, ${r.lastSucceeded.finishedAt}` : "never",
      r.lastRun ? `run ${r.lastRun.id}: ${r.lastRun.status}${r.lastRun.error ? ` (${r.lastRun.error})` : ""}` : "none",
      String(r.runsInPeriod),
    ]),
    "Coverage",
  );

  if (report.rewrites.length > 0) {
    heading(doc, "History rewrites on protected branches");
    table(
      doc,
      [
        { title: "Repository", width: 150 },
        { title: "Branch", width: 90 },
        { title: "Old tip (dropped)", width: 100, mono: true },
        { title: "New tip (replacement)", width: 110, mono: true },
        { title: "Commits dropped", width: 60 },
        { title: "Happened between", width: width - 550 },
        { title: "Run", width: 40 },
      ],
      report.rewrites.map((r) => [
        r.repo,
        r.branch,
        r.oldTip.slice(0, 12),
        r.newTip.slice(0, 12),
        String(r.droppedCommits),
        `${r.notBefore ?? "?"} and ${r.observedAt}`,
        String(r.runId),
      ]),
      "History rewrites",
    );
  }

  heading(doc, "Verdicts per rule");
  table(
    doc,
    [
      { title: "Rule", width: 40 },
      { title: "What it checks", width: 220 },
      { title: "Criteria", width: 60 },
      { title: "Verdicts (subjects judged)", width: width - 320 },
    ],
    report.rules.map((r) => [
      r.id,
      r.title,
      r.criteria.join(", "),
      `${Object.entries(r.counts)
        .map(([v, n]) => `${v}: ${n}`)
        .join(" · ")}${r.accepted ? ` · accepted: ${r.accepted}` : ""}`,
    ]),
    "Verdicts per rule",
  );

  heading(doc, "Findings");
  if (report.findings.length === 0) doc.text("No findings: every verdict is pass or n/a.", { width });
  else {
    table(
      doc,
      [
        { title: "Rule", width: 50 },
        { title: "Subject", width: 200 },
        { title: "Verdict", width: 130 },
        { title: "Reason", width: width - 380 },
      ],
      report.findings.map((f) => [
        f.rule,
        f.subject.id,
        f.accepted ? `${f.verdict}\naccepted${f.accepted.overdue ? " (review overdue)" : ""}` : f.verdict,
        f.accepted ? `${f.reason}\nAccepted: ${f.accepted.reason} (${f.accepted.ticket}, ${f.accepted.at})` : f.reason,
      ]),
      "Findings",
    );
  }

  heading(doc, "Population reconciliation");
  if (report.reconciliation.length === 0) doc.text("No protected branch was collected.", { width });
  else {
    table(
      doc,
      [
        { title: "Branch", width: 150 },
        { title: "Reconciliation", width: width - 150 },
      ],
      report.reconciliation.map((r) => [`${r.repo}:${r.branch}`, `${reconciliationText(r)}\nRecount: ${r.command}`]),
      "Population reconciliation",
    );
  }

  heading(doc, "Deployments");
  if (report.deployments.verdicts.length === 0) doc.text("No deployment in this period.", { width });
  else {
    table(
      doc,
      [
        { title: "Rule", width: 40 },
        { title: "Deployment", width: 190 },
        { title: "Verdict", width: 90 },
        { title: "Reason", width: width - 320 },
      ],
      report.deployments.verdicts.map((f) => [f.rule, f.subject.id, f.verdict, f.reason]),
      "Deployments",
    );
  }

  heading(doc, "Access review");
  doc
    .font(FONT)
    .fontSize(9)
    .text(
      `Snapshots compared: ${report.access.snapshots.map((s) => `${s.takenAt} (#${s.id})`).join(", ") || "none"}.`,
      { width },
    );
  if (report.access.verdicts.length === 0) {
    doc.text("No tracked repository was collected from GitHub: access cannot be reviewed.", { width });
  } else {
    table(
      doc,
      [
        { title: "Rule", width: 50 },
        { title: "Subject", width: 170 },
        { title: "Verdict", width: 80 },
        { title: "Reason", width: width - 300 },
      ],
      report.access.verdicts.map((f) => [f.rule, f.subject.id, f.verdict, f.reason]),
      "Access review",
    );
  }

  heading(doc, "Separation of duties");
  if (report.people.length === 0) doc.text("Nobody acted on a tracked repository in this period.", { width });
  else {
    table(
      doc,
      [
        { title: "Person", width: 130 },
        { title: "Authored / approved (reviewed) / merged / syncs", width: 150 },
        { title: "Conflicts", width: width - 280 },
      ],
      report.people.map((p) => [
        `${p.name}${p.service ? ` (${p.service})` : ""}`,
        `${p.authored} / ${p.approved} (${p.approvedCounted}) / ${p.merged} / ${p.deployed}`,
        p.conflicts.map((c) => `${CONFLICT_TEXT[c.kind]} ${c.subject}`).join("\n") || "none",
      ]),
      "Separation of duties",
    );
  }

  if (report.unresolved.length > 0) {
    heading(doc, "Identities that resolve to nobody");
    table(
      doc,
      [
        { title: "Commit identity", width: 260 },
        { title: "Changes it touches", width: width - 260 },
      ],
      report.unresolved.map((u) => [u.identity, u.changes.join(", ")]),
      "Identities that resolve to nobody",
    );
  }

  if (report.identityConflicts.length > 0) {
    heading(doc, "Emails two parties claim (each resolves to neither)");
    table(
      doc,
      [
        { title: "Email", width: 260 },
        { title: "Claimed by", width: width - 260 },
      ],
      report.identityConflicts.map((c) => [c.email, c.claimedBy.join(", ")]),
      "Emails two parties claim",
    );
  }

  heading(doc, "Changes");
  if (report.branches.length === 0) doc.text("No changes on protected branches in this period.", { width });
  for (const b of report.branches) {
    const caption = `${b.repo} · ${b.branch}`;
    heading(doc, `${caption}: ${plural(b.changes.length, "change")}`, 11);
    table(
      doc,
      [
        { title: "Landed (UTC)", width: 80 },
        { title: "Change", width: 150 },
        { title: "Kind", width: 90 },
        { title: "Title", width: width - 600 },
        { title: "Author · merged by", width: 120 },
        { title: "Findings", width: 160 },
      ],
      b.changes.map((c) => [
        day(c.landedAt),
        c.id,
        [
          c.kindLabel,
          c.alsoOn.length > 0 ? `also on ${c.alsoOn.join(", ")}` : "",
          c.droppedAt ? `DROPPED from the branch by a rewrite observed ${c.droppedAt}` : "",
        ]
          .filter(Boolean)
          .join("\n"),
        c.title,
        `${c.author}\n${c.mergedBy}`,
        c.exceptions.join("\n") || "none",
      ]),
      caption,
    );
  }

  // Page numbers on every page, so a printed copy shows if a page is missing.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    doc.page.margins.bottom = 0; // the footer sits in the margin; without this pdfkit starts a new page
    doc
      .font(FONT)
      .fontSize(8)
      .fillColor("#666")
      .text(`${report.title} · page ${i + 1} of ${range.count}`, MARGIN, doc.page.height - 28, {
        width,
        align: "center",
        lineBreak: false,
      });
  }
  doc.end();
  return finished;
}

/** The weekly review chart as vectors: the same bars as the HTML's SVG (charts/weekly-review.ts). */
function weeklyChart(doc: Doc, weeks: readonly WeekCounts[], width: number): void {
  const height = 110;
  const left = 30;
  ensureSpace(doc, height + 50);
  const x0 = MARGIN + left;
  const y0 = doc.y;
  const { bars: drawn, max, slot } = bars(weeks, width - left, height);
  doc.save();
  for (const b of drawn) doc.rect(x0 + b.x, y0 + b.y, b.width, b.height).fill(b.colour);
  doc
    .moveTo(x0, y0 + height)
    .lineTo(MARGIN + width, y0 + height)
    .strokeColor("#8c959f")
    .stroke();
  doc.restore();
  doc.font(FONT).fontSize(7).fillColor("#57606a");
  doc.text(String(max), MARGIN, y0 - 3, { width: left - 4, align: "right", lineBreak: false });
  doc.text("0", MARGIN, y0 + height - 7, { width: left - 4, align: "right", lineBreak: false });
  const every = Math.max(1, Math.ceil(weeks.length / 14));
  weeks.forEach((w, i) => {
    if (i % every !== 0) return;
    doc.text(w.label, x0 + i * slot, y0 + height + 3, { width: Math.max(slot * every, 30), lineBreak: false });
  });
  let lx = x0;
  const ly = y0 + height + 16;
  for (const l of REVIEW_LAYERS) {
    doc.rect(lx, ly, 7, 7).fill(l.colour);
    doc.fillColor("#24292f").text(l.label, lx + 10, ly - 0.5, { lineBreak: false });
    lx += 130;
  }
  doc.fillColor("#000").font(FONT).fontSize(9);
  doc.x = MARGIN;
  doc.y = ly + 16;
}
