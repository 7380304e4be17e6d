import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { messageOf, OutputError } from "../errors/index.js";
import { type Period, periodSlug } from "../period.js";
import { renderChangeLogHtml } from "./html/changelog-html.js";
import { writeManifest } from "./manifest.js";
import type { ChangeLogReport } from "./model.js";
import { renderChangeLogPdf } from "./pdf/changelog-pdf.js";
import {
  accessCsv,
  accessJson,
  changesCsv,
  changesJson,
  coverageJson,
  deploymentsCsv,
  deploymentsJson,
  findingsCsv,
  findingsJson,
  peopleCsv,
  peopleJson,
} from "./populations.js";

export interface WrittenReport {
  dir: string;
  files: string[];
}

/** Writes the period's report (HTML, PDF, the change and finding populations as JSON and CSV) and its manifest under `outDir/<period>/`. */
export async function writeChangeLogReport(
  report: ChangeLogReport,
  period: Period,
  outDir: string,
): Promise<WrittenReport> {
  const dir = path.join(outDir, periodSlug(period));
  try {
    return await writeAll(report, dir);
  } catch (e) {
    // A file-system failure is about the folder the user chose, not an internal error.
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === "string" && /^E[A-Z]+$/.test(code)) {
      throw new OutputError(`cannot write the report to ${dir}: ${messageOf(e)}`, { cause: e });
    }
    throw e;
  }
}

async function writeAll(report: ChangeLogReport, dir: string): Promise<WrittenReport> {
  mkdirSync(dir, { recursive: true });
  const files = [
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
  ];
  const header = { period: report.period, generatedAt: report.generatedAt, toolVersion: report.toolVersion };
  writeFileSync(path.join(dir, "index.html"), renderChangeLogHtml(report));
  await renderChangeLogPdf(report, path.join(dir, "report.pdf"));
  writeFileSync(path.join(dir, "changes.json"), changesJson(header, report.changeRules, report.changes));
  writeFileSync(path.join(dir, "changes.csv"), changesCsv(report.changeRules, report.changes));
  writeFileSync(
    path.join(dir, "findings.json"),
    findingsJson(header, report.findings, report.unresolved, report.identityConflicts),
  );
  writeFileSync(path.join(dir, "findings.csv"), findingsCsv(report.findings));
  writeFileSync(path.join(dir, "deployments.json"), deploymentsJson(header, report.deployments));
  writeFileSync(path.join(dir, "deployments.csv"), deploymentsCsv(report.deployments));
  writeFileSync(path.join(dir, "access.json"), accessJson(header, report.access));
  writeFileSync(path.join(dir, "access.csv"), accessCsv(report.access));
  writeFileSync(path.join(dir, "people.json"), peopleJson(header, report.people));
  writeFileSync(path.join(dir, "people.csv"), peopleCsv(report.people));
  writeFileSync(
    path.join(dir, "coverage.json"),
    coverageJson(header, report.coverage, report.reconciliation, report.method),
  );
  writeManifest(dir, files, {
    tool: "changeproof",
    toolVersion: report.toolVersion,
    period: report.period,
    generatedAt: report.generatedAt,
    ledgerHead: report.coverage.ledger.head,
  });
  return { dir, files: [...files, "manifest.json"] };
}
