import { configuredClusters } from "../../config/clusters.js";
import { loadExceptionsRegister } from "../../config/exceptions-register.js";
import type { LoadedConfig } from "../../config/load.js";
import type { Logger } from "../../log/logger.js";
import type { Period } from "../../period.js";
import { withStore } from "../../store/db.js";

export interface ReportResult {
  dir: string;
  files: string[];
  gaps: string[];
  changes: number;
  /** Per rule, its verdicts and how many subjects got each (pass and n/a included). */
  rules: { id: string; counts: Record<string, number> }[];
  /** The access review's findings (A1-A4 verdicts other than pass). */
  access: { rule: string; verdict: string; reason: string }[];
  /** The deployments' findings (C9 unexplained, C10 manual syncs). */
  deployments: { rule: string; verdict: string; deployment: string; reason: string }[];
  /** Each automated GitOps change's provenance (C12 traced or unexplained): which build it deploys. */
  provenance: { verdict: string; change: string; reason: string }[];
  /** The separation-of-duties conflicts (S1 exceptions): who, and what. */
  duties: { person: string; reason: string }[];
}

/** Build the period's report from the store alone and write it under the output folder. */
export async function reportPeriod(
  cfg: LoadedConfig,
  period: Period,
  log: Logger,
  now: Date | (() => Date),
): Promise<ReportResult> {
  // Loaded here, not at start-up: a collect run should not pay for pdfkit and handlebars.
  const { buildChangeLogReport } = await import("../../reports/model.js");
  const { writeChangeLogReport } = await import("../../reports/write.js");
  // The register is read before the store: a broken entry stops the report with its file and line.
  const exceptions = cfg.exceptions
    ? loadExceptionsRegister(
        cfg.exceptions,
        cfg.repos.map((r) => r.name),
      )
    : [];
  // Read-only: a mistyped --db must not create an empty store and an empty "complete" report.
  const report = await withStore(cfg.database, { readonly: true, doing: "reading" }, (db) =>
    buildChangeLogReport(
      db,
      period,
      cfg.repos.map((r) => r.name),
      now,
      {
        ...(cfg.github ? { githubOrg: cfg.github.org } : {}),
        clusters: [...configuredClusters(cfg)],
      },
      {
        people: cfg.people,
        exceptions,
        images: new Map(cfg.repos.map((r) => [r.name, r.images ?? []])),
      },
    ),
  );
  const written = await writeChangeLogReport(report, period, cfg.output);
  for (const g of report.coverage.gaps) log.warn(`gap: ${g}`);
  log.info("report written", { period: period.label, dir: written.dir, changes: report.totals.changes });
  return {
    ...written,
    gaps: report.coverage.gaps,
    changes: report.totals.changes,
    rules: report.rules.map((r) => ({ id: r.id, counts: r.counts })),
    access: report.access.verdicts
      .filter((f) => f.verdict !== "pass")
      .map((f) => ({ rule: f.rule, verdict: f.verdict, reason: f.reason })),
    deployments: report.deployments.verdicts
      .filter((f) => f.verdict !== "pass" && f.verdict !== "n/a")
      .map((f) => ({ rule: f.rule, verdict: f.verdict, deployment: f.subject.id, reason: f.reason })),
    provenance: report.changes.flatMap((c) =>
      c.verdicts
        .filter((v) => v.rule === "C12" && v.verdict !== "n/a")
        .map((v) => ({ verdict: v.verdict, change: c.id, reason: v.reason })),
    ),
    duties: report.findings
      .filter((f) => f.rule === "S1" && f.verdict === "exception")
      .map((f) => ({ person: f.subject.id, reason: f.reason })),
  };
}

/** One line per rule: its verdicts and how many subjects got each ("C1: reviewed 3, not-reviewed 2"). */
export function ruleSummaryLines(rules: ReportResult["rules"]): string[] {
  return rules.map((r) => {
    const counts = Object.entries(r.counts).filter(([, n]) => n > 0);
    return `${r.id}: ${counts.length > 0 ? counts.map(([v, n]) => `${v} ${n}`).join(", ") : "nothing judged"}`;
  });
}
