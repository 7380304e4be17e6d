import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { messageOf, OutputError } from "../errors/index.js";
import { type Period, periodSlug } from "../period.js";
import { ExportWriter, type TextOut } from "./export-writer.js";
import { writeHtmlExport } from "./html/export.js";
import type { Templates } from "./html/templates.js";
import { writeManifest } from "./manifest.js";
import type { Report } from "./model.js";
import { renderReportPdf } from "./pdf/report-pdf.js";
import {
  accessCsv,
  accessJson,
  coverageJson,
  deploymentsCsv,
  deploymentsJson,
  peopleCsv,
  peopleJson,
  writeChangesCsv,
  writeChangesJson,
  writeFindingsCsv,
  writeFindingsJson,
} from "./populations.js";

export interface WrittenReport {
  dir: string;
  /** The files SPEC §4 names (the HTML export's pages, data and assets besides index.html are not listed). */
  files: string[];
  /** Every file written, pages included (manifest.json lists each with its SHA-256). */
  count: number;
}

/** SPEC §4's files, the contract other tools read; manifest.json is written last. */
export const REPORT_FILES = [
  "index.html",
  "report.pdf",
  "changes.json",
  "changes.csv",
  "findings.json",
  "findings.csv",
  "deployments.json",
  "deployments.csv",
  "access.json",
  "access.csv",
  "people.json",
  "people.csv",
  "coverage.json",
  "manifest.json",
] as const;

/**
 * Writes the period's report under `outDir/<period>/`: the HTML export (index.html, its tables and
 * pages), report.pdf, the populations as JSON and CSV, coverage.json, and manifest.json last. It
 * is written into a new folder beside the old one and swapped in when whole, so a reader never
 * sees a half-written report, nor a page left from an earlier one.
 */
export async function writeReport(
  report: Report,
  period: Period,
  outDir: string,
  templates: Templates,
): Promise<WrittenReport> {
  const slug = periodSlug(period);
  const dir = path.join(outDir, slug);
  sweepLeftovers(outDir);
  const fresh = path.join(outDir, `.${slug}.partial-${process.pid}-${randomBytes(4).toString("hex")}`);
  let old: string | null = null;
  try {
    const out = new ExportWriter(fresh);
    await writeAll(report, out, templates);
    if (existsSync(dir)) {
      old = path.join(outDir, `.${slug}.old-${process.pid}-${randomBytes(4).toString("hex")}`);
      renameSync(dir, old);
    }
    renameSync(fresh, dir);
    if (old) rmSync(old, { recursive: true, force: true });
    return { dir, files: [...REPORT_FILES], count: out.written().length };
  } catch (e) {
    // The previous report stays where it was: put it back if it was moved aside.
    if (old && !existsSync(dir) && existsSync(old)) renameSync(old, dir);
    rmSync(fresh, { recursive: true, force: true });
    // A file-system failure is about the folder the user chose, not an internal error.
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === "string" && /^E[A-Z]+$/.test(code)) {
      throw new OutputError(`cannot write the report to ${dir}: ${messageOf(e)}`, { cause: e });
    }
    throw e;
  }
}

/**
 * What a killed report run left beside the reports: its half-written folder, the previous report
 * it had moved aside, its spool. Each name carries the process id that made it; those of a
 * process still running (another report into this folder) are left alone.
 */
function sweepLeftovers(outDir: string): void {
  let names: string[];
  try {
    names = readdirSync(outDir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^\.(?:.+\.(?:partial|old)|changeproof-spool)-(\d+)-[0-9a-f]+(?:\.db)?$/.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    rmSync(path.join(outDir, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, owned by someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function writeAll({ model, populations }: Report, out: ExportWriter, templates: Templates): Promise<void> {
  const header = { period: model.period, generatedAt: model.generatedAt, toolVersion: model.toolVersion };
  writeHtmlExport({ model, populations, templates, out });
  await renderReportPdf(model, populations, out.pathFor("report.pdf"));
  out.adopt("report.pdf");
  const stream = (name: string, write: (o: TextOut) => void): void => {
    const o = out.open(name);
    try {
      write(o);
    } finally {
      o.close();
    }
  };
  stream("changes.json", (o) => writeChangesJson(o, header, model.changeRules, populations.changes()));
  stream("changes.csv", (o) => writeChangesCsv(o, model.changeRules, populations.changes()));
  stream("findings.json", (o) =>
    writeFindingsJson(o, header, populations.findings(), model.unresolved, model.identityConflicts),
  );
  stream("findings.csv", (o) => writeFindingsCsv(o, populations.findings()));
  out.file("deployments.json", deploymentsJson(header, model.deployments));
  out.file("deployments.csv", deploymentsCsv(model.deployments));
  out.file("access.json", accessJson(header, model.access));
  out.file("access.csv", accessCsv(model.access));
  out.file("people.json", peopleJson(header, model.people));
  out.file("people.csv", peopleCsv(model.people));
  out.file("coverage.json", coverageJson(header, model.coverage, model.reconciliation, model.method, model.runs));
  writeManifest(out, {
    tool: "changeproof",
    toolVersion: model.toolVersion,
    period: model.period,
    generatedAt: model.generatedAt,
    ledgerHead: model.coverage.ledger.head,
  });
}
