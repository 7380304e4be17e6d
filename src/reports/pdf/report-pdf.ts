import { createWriteStream } from "node:fs";
import { Writable } from "node:stream";
import PDFDocument from "pdfkit";
import { CONFLICT_TEXT } from "../../evidence/duties.js";
import { type Criterion, type Finding, isFinding } from "../../evidence/finding.js";
import { deploymentSubject } from "../../evidence/rules/c9-deployed-unexplained.js";
import { ruleDocs } from "../../evidence/rules/index.js";
import { reconciliationText } from "../../evidence/rules/p1-completeness.js";
import { groupBy } from "../../util/group-by.js";
import type { ChangeRow } from "../change-rows.js";
import {
  COLLECTION_KINDS,
  DEPLOYMENT_KINDS,
  GAP_COLOUR,
  MARK_STYLE,
  type MarkKind,
  type Timeline,
  timelineGeometry,
} from "../charts/timeline.js";
import { bars, REVIEW_LAYERS, type WeekCounts } from "../charts/weekly-review.js";
import { plural } from "../labels.js";
import type { ReportModel } from "../model.js";
import { presentable } from "../presentable.js";
import type { ReportPopulations } from "../spool.js";
import { BOLD, FONT, fitFont, MONO } from "./fonts.js";

/**
 * The report as a PDF an auditor files, in this order: cover (scope, period, completeness, gaps),
 * contents with page numbers, how the evidence was produced (P1), summary per SOC 2 criterion,
 * exceptions with their evidence, accepted exceptions, deployments, access review, separation of
 * duties, each rule's documentation, and the change population as an appendix.
 *
 * Drawn twice: the first pass, into nothing, counts the pages and where each section starts; the
 * second draws the contents and "page n of N" from them. Pages are not buffered (pdfkit's memory
 * grows with buffered pages): each is written as the next begins. Beyond a threshold the long
 * lists (exceptions, deployments, the appendix) stop and point to the CSV that holds them all.
 *
 * Fonts ship as npm packages (see fonts.ts), so any name or subject from git either renders or
 * shows as a visible [U+XXXX] token.
 */

/** The appendix lists at most this many changes; beyond, it points to changes.csv. */
export const APPENDIX_LIMIT = 3000;
/** Findings of one rule listed with their evidence at most; beyond, findings.csv. */
export const PER_RULE_LIMIT = 100;
/** Deployments listed at most; beyond, deployments.csv. */
export const DEPLOYMENTS_LIMIT = 2000;

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
    : `${text.slice(0, CELL_LIMIT)}… [${text.length - CELL_LIMIT} more characters in the JSON files]`;
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
    const cells = raw.map((c, i) => fitFont(capped(c), bold ? BOLD : columns[i]?.mono ? MONO : FONT));
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

/** A table under its own heading; a page break repeats its header under the caption (the heading by default). */
function headedTable(
  doc: Doc,
  title: string,
  columns: readonly Column[],
  rows: readonly string[][],
  caption = title,
): void {
  heading(doc, title, 12);
  table(doc, columns, rows, caption);
}

const day = (iso: string): string => iso.replace("T", " ").slice(0, 16);

/** The sections in order, as the contents lists them. */
const SECTIONS = [
  "How the evidence was produced",
  "Summary per SOC 2 criterion",
  "Exceptions with their evidence",
  "Accepted exceptions and overdue reviews",
  "Deployments and what each introduced",
  "Access review",
  "Separation of duties",
  "The rules, as the code applies them",
  "Appendix: the change population",
] as const;
type Section = (typeof SECTIONS)[number];

interface Layout {
  pages: number;
  starts: Map<Section, number>;
}

/** Criteria as SPEC §5 names them. */
const CRITERIA: Record<Criterion, string> = {
  "CC6.1": "CC6.1 Logical access controls",
  "CC6.2": "CC6.2 Registration and removal of users",
  "CC6.3": "CC6.3 Role-based access, least privilege and separation of duties",
  "CC7.1": "CC7.1 Detection of configuration changes",
  "CC8.1": "CC8.1 Changes are authorised, designed, tested, approved and implemented",
};

export async function renderReportPdf(model: ReportModel, pops: ReportPopulations, file: string): Promise<void> {
  const layout = await draw(model, pops, new Writable({ write: (_c, _e, done) => done() }), null);
  await draw(model, pops, createWriteStream(file), layout);
}

function draw(
  raw: ReportModel,
  pops: ReportPopulations,
  sink: NodeJS.WritableStream,
  known: Layout | null,
): Promise<Layout> {
  const report = presentable(raw);
  const doc = new PDFDocument({
    size: "A4",
    layout: "landscape",
    margin: MARGIN,
    bufferPages: false,
    info: {
      Title: report.title,
      Author: `changeproof ${report.toolVersion}`,
      Subject: `Change management and access evidence, period ${report.period.label}`,
      Keywords: "SOC 2, CC8.1, CC6.1, change management, evidence",
      Creator: `changeproof ${report.toolVersion}`,
      CreationDate: new Date(report.generatedAt),
    },
  });
  const done = new Promise<void>((resolve, reject) => {
    sink.on("finish", resolve);
    sink.on("error", reject);
    doc.on("error", reject);
  });
  doc.pipe(sink);
  const width = doc.page.width - 2 * MARGIN;
  let page = 1;
  const footer = (): void => {
    // The footer sits in the margin: with the bottom margin kept, pdfkit would start a new page.
    // A text that wraps onto the new page goes on in the font it had: keep it (pdfkit's state).
    const state = doc as unknown as { _font: unknown; _fontSize: number; _fillColor: unknown };
    const kept = { font: state._font, size: state._fontSize, fill: state._fillColor };
    const { x, y } = doc;
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font(FONT)
      .fontSize(8)
      .fillColor("#666")
      .text(`${report.title} · page ${page} of ${known ? known.pages : "?"}`, MARGIN, doc.page.height - 28, {
        width,
        align: "center",
        lineBreak: false,
      });
    doc.page.margins.bottom = bottom;
    state._font = kept.font;
    state._fontSize = kept.size;
    state._fillColor = kept.fill;
    doc.x = x;
    doc.y = y;
  };
  footer();
  doc.on("pageAdded", () => {
    page++;
    forgetLayouts(doc);
    footer();
  });
  const starts = new Map<Section, number>();
  const section = (name: Section): void => {
    doc.addPage();
    starts.set(name, page);
    doc.font(BOLD).fontSize(16).fillColor("#000").text(name, MARGIN, MARGIN, { width });
    doc.moveDown(0.4).font(FONT).fontSize(9);
  };
  const para = (text: string, size = 9): void => {
    const f = fitFont(text);
    doc.font(f.font).fontSize(size).fillColor("#000").text(f.text, { width });
  };

  cover(doc, report, width);

  // Contents: the same lines in both passes (numbers unknown in the first), so it takes the same room.
  doc.addPage();
  doc.font(BOLD).fontSize(16).text("Contents", { width });
  doc.moveDown(0.5).font(FONT).fontSize(11);
  for (const name of SECTIONS) {
    const at = known?.starts.get(name);
    const y = doc.y;
    doc.text(name, MARGIN, y, { width: width - 80, lineBreak: false });
    doc.text(at === undefined ? "…" : String(at), MARGIN + width - 80, y, {
      width: 80,
      align: "right",
      lineBreak: false,
    });
    doc.x = MARGIN;
    doc.y = y + 18;
  }

  section("How the evidence was produced");
  for (const m of report.method) para(`• ${m}`);
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
    "Collection",
  );
  const l = report.coverage.ledger;
  para(
    `Collection-run ledger: ${plural(l.sealed, "sealed run")}, hash chain ${l.intact ? "intact" : "BROKEN"}${l.head ? `, head ${l.head}` : ""}. Runs used by this report: ${report.coverage.runsUsed.join(", ") || "none"}.`,
  );
  if (report.charts.collection.lanes.length > 0) {
    heading(doc, "When each cluster was read, against how often its history turned over", 12);
    para(
      "A reconciler keeps only its last few deployments: when more happen between two reads than it keeps, history is lost (the red spans).",
    );
    timelineChart(doc, report.charts.collection, COLLECTION_KINDS, width);
  }
  if (report.runs.length > 0) {
    headedTable(
      doc,
      "The runs this report used",
      [
        { title: "Run", width: 35 },
        { title: "Source", width: 65 },
        { title: "What it read", width: 170, mono: true },
        { title: "Parameters", width: 190, mono: true },
        { title: "Started · finished (UTC)", width: 120 },
        { title: "Status", width: 60 },
        { title: "Counted", width: width - 640, mono: true },
      ],
      report.runs.map((r) => [
        String(r.id),
        r.source,
        r.scope,
        r.parameters,
        `${r.startedAt}\n${r.finishedAt ?? "?"}`,
        r.status,
        r.counts ?? "",
      ]),
    );
  }
  heading(doc, "Population reconciliation", 12);
  para(
    "Per protected branch, the first-parent commits git lists for the period, accounted for by the changes that landed them. Run the command in a clone of the repository to recount.",
  );
  if (report.reconciliation.length === 0) para("No protected branch was collected.");
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
  if (report.rewrites.length > 0) {
    headedTable(
      doc,
      "History rewrites on protected branches",
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

  section("Summary per SOC 2 criterion");
  para(
    `Changes on protected branches: ${report.totals.changes} (${plural(report.totals.pullRequests, "merged pull request")}, ${report.totals.directPushes} direct push${report.totals.directPushes === 1 ? "" : "es"}${report.totals.unknown ? `, ${report.totals.unknown} that cannot be told apart without GitHub's data` : ""}); findings: ${report.totals.findings}.`,
  );
  para(
    `Changes later dropped from their branch by a rewrite: ${report.totals.dropped}; history rewrites observed: ${report.totals.rewrites}.`,
  );
  heading(doc, "Changes per week, by review", 12);
  weeklyChart(doc, report.charts.weeklyReview, width);
  for (const [criterion, title] of Object.entries(CRITERIA) as [Criterion, string][]) {
    const rules = report.rules.filter((r) => r.criteria.includes(criterion));
    if (rules.length === 0) continue;
    headedTable(
      doc,
      title,
      [
        { title: "Rule", width: 40 },
        { title: "What it checks", width: 260 },
        { title: "Verdicts (subjects judged)", width: width - 300 },
      ],
      rules.map((r) => [
        r.id,
        r.title,
        `${Object.entries(r.counts)
          .map(([v, n]) => `${v}: ${n}`)
          .join(" · ")}${r.accepted ? ` · accepted: ${r.accepted}` : ""}`,
      ]),
    );
  }

  section("Exceptions with their evidence");
  const open = findingsList(doc, pops.findings(), (f) => !f.accepted && f.rule !== "register", width);
  if (open === 0) para("No exceptions: every verdict is pass or n/a, or accepted (next section).");

  section("Accepted exceptions and overdue reviews");
  para(
    "Findings an approver accepted in the exceptions register keep their verdict. An after-the-fact review past its date is a finding of its own (overdue), and so is a register entry that matches nothing (unmatched).",
  );
  const accepted = findingsList(doc, pops.findings(), (f) => f.accepted !== undefined || f.rule === "register", width);
  if (accepted === 0) para("No accepted exception, no overdue review.");

  section("Deployments and what each introduced");
  if (report.charts.deployments.lanes.length > 0) {
    para(
      `Each deployment target over the period: how each deployment was started, and where the cluster's history was lost.${report.charts.deployments.omitted ? ` The ${report.charts.deployments.lanes.length} busiest targets are drawn; ${plural(report.charts.deployments.omitted, "more target")} are in deployments.csv.` : ""}`,
    );
    timelineChart(doc, report.charts.deployments, DEPLOYMENT_KINDS, width);
  }
  deploymentsSection(doc, raw, width, para);

  section("Access review");
  para(`Snapshots compared: ${report.access.snapshots.map((s) => `${s.takenAt} (#${s.id})`).join(", ") || "none"}.`);
  if (report.access.verdicts.length === 0) {
    para("No tracked repository was collected from GitHub: access cannot be reviewed.");
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
  if (report.unresolved.length > 0) {
    headedTable(
      doc,
      "Identities that resolve to nobody",
      [
        { title: "Commit identity", width: 260 },
        { title: "Changes it touches", width: width - 260 },
      ],
      report.unresolved.map((u) => [u.identity, u.changes.join(", ")]),
    );
  }
  if (report.identityConflicts.length > 0) {
    headedTable(
      doc,
      "Emails two parties claim (each resolves to neither)",
      [
        { title: "Email", width: 260 },
        { title: "Claimed by", width: width - 260 },
      ],
      report.identityConflicts.map((c) => [c.email, c.claimedBy.join(", ")]),
      "Emails two parties claim",
    );
  }

  section("Separation of duties");
  if (report.people.length === 0) para("Nobody acted on a tracked repository in this period.");
  else {
    table(
      doc,
      [
        { title: "Person", width: 130 },
        { title: "Authored", width: 50 },
        { title: "Approved (made reviewed)", width: 70 },
        { title: "Merged", width: 45 },
        { title: "Manual syncs", width: 45 },
        { title: "Rights as the period closed", width: 200 },
        { title: "Conflicts", width: width - 540 },
      ],
      report.people.map((p) => [
        `${p.name}${p.service ? ` (${p.service})` : ""}`,
        String(p.authored),
        `${p.approved} (${p.approvedCounted})`,
        String(p.merged),
        String(p.deployed),
        [
          p.rights.owner ? "organisation owner" : "",
          p.rights.appAdmin.length ? `admin: ${p.rights.appAdmin.join(", ")}` : "",
          p.rights.appWrite.length ? `write: ${p.rights.appWrite.join(", ")}` : "",
          p.rights.gitopsAdmin.length ? `GitOps admin: ${p.rights.gitopsAdmin.join(", ")}` : "",
          p.rights.gitopsWrite.length ? `GitOps write: ${p.rights.gitopsWrite.join(", ")}` : "",
        ]
          .filter(Boolean)
          .join("\n") || "none",
        p.conflicts.map((c) => `${CONFLICT_TEXT[c.kind]} ${c.subject}`).join("\n") || "none",
      ]),
      "Separation of duties",
    );
  }

  section("The rules, as the code applies them");
  para("Each rule's documentation, from the rule registry the verdicts above were made by (also docs/rules.md).");
  for (const d of ruleDocs) {
    heading(doc, `${d.id}: ${d.title}`, 11);
    para(`Subject: ${d.subject}. Verdicts: ${d.verdicts.join(", ")}. SOC 2: ${d.criteria.join(", ")}.`);
    para(`Checks. ${d.checks}`);
    para(`Data. ${d.data}`);
    para(`How it is judged. ${d.judged}`);
    para(`Known limits. ${d.limits}`);
  }

  section("Appendix: the change population");
  appendix(doc, raw, pops, width, para);

  doc.end();
  return done.then(() => ({ pages: page, starts }));
}

/**
 * pdfkit keeps the glyph layout of every distinct word for the document's life (each embedded
 * font's `layoutCache`): commit ids and hashes are all distinct, so at a few hundred pages that
 * cache is most of the memory (pdfkit #728, #1370). Turning it off (`fontLayoutCache: false`)
 * doubles the time; emptying it at each page keeps a page's repeated words fast and memory flat.
 * It reaches into pdfkit's fonts (`_fontFamilies`), which have held `layoutCache` since 0.8.
 */
function forgetLayouts(doc: Doc): void {
  const fonts = (doc as unknown as { _fontFamilies?: Record<string, { layoutCache?: unknown }> })._fontFamilies;
  for (const f of Object.values(fonts ?? {})) {
    if (f.layoutCache) f.layoutCache = Object.create(null);
  }
}

function cover(doc: Doc, report: ReportModel, width: number): void {
  doc.font(BOLD).fontSize(22).text(report.title, { width });
  doc.moveDown(0.3).font(FONT).fontSize(11).fillColor("#333");
  const line = (label: string, value: string): void => {
    const f = fitFont(`${label}: ${value}`);
    doc.font(f.font).text(f.text, { width });
  };
  line("Organisation", report.scope.organisation ?? "(GitHub not configured)");
  line("Period", `${report.period.label}: ${report.period.display}`);
  line("Repositories", report.repos.map((r) => `${r.name} (${r.role})`).join(", ") || "none");
  line("Clusters", report.scope.clusters.join(", ") || "none configured");
  line("Generated", `${report.generatedAt} by changeproof ${report.toolVersion}`);
  doc.moveDown(0.8);
  if (report.coverage.gaps.length > 0) {
    doc.font(BOLD).fontSize(15).fillColor("#b00020").text("Evidence is incomplete", { width });
    doc
      .font(FONT)
      .fontSize(10)
      .text(`Completeness (P1): ${plural(report.coverage.gaps.length, "gap")}.`, { width });
    for (const g of report.coverage.gaps) {
      const f = fitFont(`• ${g}`);
      doc.font(f.font).text(f.text, { width });
    }
  } else {
    doc
      .font(BOLD)
      .fontSize(13)
      .fillColor("#1a7f37")
      .text("Evidence is complete: every tracked source was collected through the period; the run ledger is intact.", {
        width,
      });
  }
  doc.fillColor("#000").font(FONT).fontSize(10).moveDown(0.8);
  const t = report.totals;
  doc.text(
    `Changes on protected branches: ${t.changes}; findings: ${t.findings}; deployments: ${report.deployments.deployments.length}; changes later dropped by a history rewrite: ${t.dropped}.`,
    { width },
  );
}

/** Findings with their evidence, as a list (not a grid: evidence is of any length). */
function findingsList(doc: Doc, findings: Iterable<Finding>, keep: (f: Finding) => boolean, width: number): number {
  let n = 0;
  let inRule = 0;
  let more = 0;
  let rule = "";
  const untold = (): void => {
    if (more === 0) return;
    doc
      .font(BOLD)
      .fontSize(9)
      .fillColor("#000")
      .text(
        `${plural(more, "more finding")} of ${rule} ${more === 1 ? "is" : "are"} not listed here: findings.csv and findings.json hold every finding with its evidence.`,
        MARGIN,
        doc.y,
        { width },
      );
    doc.moveDown(0.4);
    more = 0;
  };
  for (const raw of findings) {
    if (!keep(raw)) continue;
    if (raw.rule !== rule) {
      untold();
      inRule = 0;
    }
    n++;
    if (inRule >= PER_RULE_LIMIT) {
      more++;
      continue;
    }
    inRule++;
    const f = presentable(raw);
    if (f.rule !== rule) {
      rule = f.rule;
      heading(
        doc,
        f.rule === "register"
          ? "The exceptions register"
          : `${f.rule}: ${ruleDocs.find((d) => d.id === f.rule)?.title ?? ""}`,
        11,
      );
    }
    ensureSpace(doc, 40);
    const head = fitFont(
      `${f.subject.id} · ${f.verdict}${f.accepted ? ` · accepted${f.accepted.overdue ? " (review overdue)" : ""}` : ""}`,
      BOLD,
    );
    doc.font(head.font).fontSize(9).fillColor("#000").text(capped(head.text), { width });
    const lines = [
      f.reason,
      ...(f.accepted
        ? [
            `Accepted: ${f.accepted.reason} (${f.accepted.ticket}, ${f.accepted.at}, approved by ${f.accepted.approvedBy}, review due ${f.accepted.reviewDue})`,
          ]
        : []),
      ...f.evidence.map((e) => `${e.label}: ${e.value}${e.url ? ` <${e.url}>` : ""}`),
    ];
    for (const line of lines) {
      const t = fitFont(capped(line));
      doc
        .font(t.font)
        .fontSize(8)
        .fillColor("#333")
        .text(t.text, MARGIN + 12, doc.y, { width: width - 12 });
    }
    doc.x = MARGIN;
    doc.moveDown(0.4);
  }
  untold();
  return n;
}

function deploymentsSection(doc: Doc, model: ReportModel, width: number, para: (t: string) => void): void {
  const all = model.deployments.deployments;
  if (all.length === 0) {
    para("No deployment in this period.");
    return;
  }
  const verdicts = groupBy(model.deployments.verdicts, (f) => f.subject.id);
  const shown = all.slice(0, DEPLOYMENTS_LIMIT);
  table(
    doc,
    [
      { title: "At (UTC)", width: 80 },
      { title: "Deployment", width: 200 },
      { title: "Started by", width: 100 },
      { title: "What it introduced", width: width - 500 },
      { title: "Verdicts", width: 120 },
    ],
    shown.map((raw) => {
      const d = presentable(raw);
      return [
        day(d.at),
        `${d.id}${d.rollback ? "\nrollback" : ""}${d.afterGap ? "\nafter a history gap" : ""}`,
        `${d.initiatedBy ?? "unknown"}${d.automated === true ? " (automated)" : d.automated === false ? " (manual)" : ""}`,
        d.introduced
          ? `${plural(d.introduced.commits.length, "commit")}: ${d.introduced.changes.map((c) => c.id).join(", ") || "no change of the period"}`
          : "not known",
        (verdicts.get(deploymentSubject(raw).id) ?? []).map((f) => `${f.rule} ${f.verdict}`).join("\n"),
      ];
    }),
    "Deployments",
  );
  if (all.length > shown.length) {
    para(
      `${plural(all.length - shown.length, "more deployment")} are not listed here: deployments.csv holds all ${all.length}.`,
    );
  }
}

function appendix(
  doc: Doc,
  model: ReportModel,
  pops: ReportPopulations,
  width: number,
  para: (t: string) => void,
): void {
  if (model.totals.changes === 0) {
    para("No changes on protected branches in this period.");
    return;
  }
  if (model.totals.changes > APPENDIX_LIMIT) {
    para(
      `The population holds ${model.totals.changes} changes, more than this PDF lists (${APPENDIX_LIMIT}): the first ${APPENDIX_LIMIT} are below; changes.csv and changes.json hold every change with every verdict, and the HTML export browses them.`,
    );
  }
  const columns = [
    { title: "Landed (UTC)", width: 80 },
    { title: "Change", width: 150 },
    { title: "Kind", width: 90 },
    { title: "Title", width: width - 600 },
    { title: "Author · merged by", width: 120 },
    { title: "Findings", width: 160 },
  ];
  let branch = "";
  let batch: string[][] = [];
  let caption = "";
  const flush = (): void => {
    if (batch.length > 0) table(doc, columns, batch, caption);
    batch = [];
  };
  let n = 0;
  for (const raw of pops.changes()) {
    if (n++ >= APPENDIX_LIMIT) break;
    const c: ChangeRow = presentable(raw);
    const key = `${c.repo} · ${c.branch}`;
    if (key !== branch) {
      flush();
      branch = key;
      caption = key;
      const b = model.branches.find((x) => x.repo === raw.repo && x.branch === raw.branch);
      heading(doc, `${key}: ${plural(b?.changes ?? 0, "change")}`, 11);
    }
    batch.push([
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
      c.verdicts
        .filter(isFinding)
        .map(
          (v) =>
            `${v.rule} ${v.verdict}${v.accepted ? ` (accepted${v.accepted.overdue ? ", review overdue" : ""})` : ""}`,
        )
        .join("\n") || "none",
    ]);
    if (batch.length >= 200) flush();
  }
  flush();
}

/** A timeline as vectors: the same geometry as the HTML's SVG (charts/timeline.ts). */
function timelineChart(doc: Doc, t: Timeline, kinds: readonly MarkKind[], width: number): void {
  const g = timelineGeometry(t, width, 170);
  ensureSpace(doc, Math.min(g.height + 40, 300));
  const y0 = doc.y;
  doc.save();
  for (const tick of g.ticks) {
    doc
      .moveTo(MARGIN + tick.x, y0)
      .lineTo(MARGIN + tick.x, y0 + g.height - 20)
      .strokeColor("#d0d7de")
      .stroke();
  }
  for (const l of g.lanes) {
    for (const s of l.gaps) doc.rect(MARGIN + s.x, y0 + l.y + 2, s.width, g.laneHeight - 4).fill(GAP_COLOUR);
    for (const m of l.marks) doc.rect(MARGIN + m.x - 1, y0 + l.y + 3, 2, g.laneHeight - 6).fill(m.colour);
  }
  doc.restore();
  doc.fontSize(7).fillColor("#24292f");
  for (const l of g.lanes) {
    const f = fitFont(l.label);
    doc
      .font(f.font)
      .text(f.text, MARGIN, y0 + l.y + g.laneHeight / 2 - 4, { width: g.labelWidth - 6, lineBreak: false });
  }
  doc.font(FONT).fillColor("#57606a");
  for (const tick of g.ticks) doc.text(tick.label, MARGIN + tick.x + 2, y0 + g.height - 16, { lineBreak: false });
  let lx = MARGIN;
  const ly = y0 + g.height;
  for (const k of [...kinds, "gap" as const]) {
    const colour = k === "gap" ? GAP_COLOUR : MARK_STYLE[k].colour;
    const label = k === "gap" ? "history dropped by the cluster" : MARK_STYLE[k].label;
    doc.rect(lx, ly, 7, 7).fill(colour);
    doc.fillColor("#24292f").text(label, lx + 10, ly - 0.5, { lineBreak: false });
    lx += 40 + label.length * 4;
  }
  if (t.omitted > 0) {
    doc.text(`${plural(t.omitted, "more lane")} not drawn (the busiest are shown).`, MARGIN, ly + 12, { width });
  }
  doc.fillColor("#000").font(FONT).fontSize(9);
  doc.x = MARGIN;
  doc.y = ly + (t.omitted > 0 ? 26 : 16);
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
