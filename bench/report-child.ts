import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import PDFDocument from "pdfkit";
import { parsePeriod } from "../src/period.js";
import { ExportWriter } from "../src/reports/export-writer.js";
import { writeHtmlExport } from "../src/reports/html/export.js";
import { loadTemplates } from "../src/reports/html/templates.js";
import { buildReport, type ReportModel } from "../src/reports/model.js";
import { renderReportPdf } from "../src/reports/pdf/report-pdf.js";
import { ReportSpool } from "../src/reports/spool.js";
import { openStore } from "../src/store/db.js";
import { exceptions, people } from "./evidence-options.js";

/**
 * One measurement of bench/report.ts in its own process, so its peak RSS is its own. Prints one
 * JSON line. Modes:
 *   prepare <db> <dir>           the report's model (dir/model.json) and its spool, judged from the store
 *   html <dir> <spool>           the HTML export from them, into dir/html: { ms, maxRssMb, files, bytes }
 *   pdf <dir> <spool>            report.pdf from them: { ms, maxRssMb, bytes }
 *   raw-html <dir> <spool> <files> <bytes>   the floor: every change row read from the spool, and as
 *                                many files of as many bytes written plainly
 *   raw-pdf <dir> <pages>        the floor: pdfkit writing as many pages, one line each
 */

const [mode, ...args] = process.argv.slice(2);
const maxRssMb = (): number => process.resourceUsage().maxRSS / 1024;
const out = (o: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ ...o, maxRssMb: maxRssMb() })}\n`);
};
const model = (dir: string): ReportModel =>
  JSON.parse(readFileSync(path.join(dir, "model.json"), "utf8")) as ReportModel;

if (mode === "prepare") {
  const [dbFile = "", dir = ""] = args;
  mkdirSync(dir, { recursive: true });
  const db = openStore(dbFile, { readonly: true });
  const spool = ReportSpool.create(dir);
  const t0 = performance.now();
  const m = buildReport(
    db,
    parsePeriod("2026Q3"),
    [],
    new Date("2026-10-20T00:00:00Z"),
    spool,
    {},
    {
      people,
      exceptions,
    },
  );
  const ms = performance.now() - t0;
  writeFileSync(path.join(dir, "model.json"), JSON.stringify(m));
  spool.close();
  db.close();
  out({ ms, changes: m.totals.changes, findings: m.totals.findings, spool: spool.file });
} else if (mode === "html") {
  const [dir = "", file = ""] = args;
  const t0 = performance.now();
  const w = new ExportWriter(path.join(dir, "html"));
  const spool = ReportSpool.reopen(file);
  writeHtmlExport({ model: model(dir), populations: spool, templates: loadTemplates(), out: w });
  spool.close();
  const ms = performance.now() - t0;
  const files = w.written();
  out({ ms, files: files.length, bytes: files.reduce((a, f) => a + f.bytes, 0) });
} else if (mode === "pdf") {
  const [dir = "", file = ""] = args;
  const t0 = performance.now();
  const spool = ReportSpool.reopen(file);
  const pdf = path.join(dir, "report.pdf");
  await renderReportPdf(model(dir), spool, pdf);
  spool.close();
  out({ ms: performance.now() - t0, bytes: statSync(pdf).size });
} else if (mode === "raw-html") {
  const [dir = "", file = "", files = "0", bytes = "0"] = args;
  const t0 = performance.now();
  const spool = ReportSpool.reopen(file);
  let read = 0;
  for (const c of spool.changes()) read += c.id.length;
  spool.close();
  const target = path.join(dir, "raw-html");
  const n = Number(files);
  const each = Buffer.alloc(Math.max(1, Math.round(Number(bytes) / Math.max(1, n))), 0x61);
  for (let i = 0; i < n; i++) {
    const sub = path.join(target, String(Math.floor(i / 10_000)));
    if (i % 10_000 === 0) mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, `${i}.html`), each);
  }
  out({ ms: performance.now() - t0, read });
} else if (mode === "raw-pdf") {
  const [dir = "", pages = "1"] = args;
  const t0 = performance.now();
  const { createWriteStream } = await import("node:fs");
  const doc = new PDFDocument({ size: "A4", layout: "landscape", bufferPages: false });
  const done = new Promise<void>((resolve, reject) => {
    const s = createWriteStream(path.join(dir, "raw.pdf"));
    s.on("finish", resolve);
    s.on("error", reject);
    doc.pipe(s);
  });
  for (let i = 0; i < Number(pages); i++) {
    if (i > 0) doc.addPage();
    doc.fontSize(8).text(`page ${i + 1}`);
  }
  doc.end();
  await done;
  out({ ms: performance.now() - t0 });
} else {
  throw new Error("usage: report-child prepare|html|pdf|raw-html|raw-pdf ...");
}
