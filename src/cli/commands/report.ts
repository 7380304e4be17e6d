import { configuredClusters } from "../../config/clusters.js";
import { loadExceptionsRegister } from "../../config/exceptions-register.js";
import type { LoadedConfig } from "../../config/load.js";
import { sortFindings } from "../../evidence/judge.js";
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
  const { buildReport } = await import("../../reports/model.js");
  const { writeReport } = await import("../../reports/write.js");
  const { loadTemplates } = await import("../../reports/html/templates.js");
  const { ReportSpool } = await import("../../reports/spool.js");
  // The register and the template overrides are read before the store: a broken entry or
  // template stops the report with its file named, before any work.
  const exceptions = cfg.exceptions
    ? loadExceptionsRegister(
        cfg.exceptions,
        cfg.repos.map((r) => r.name),
      )
    : [];
  const templates = loadTemplates(cfg.report?.templates);
  // Beside the reports: the one folder a read-only container is sure to be able to write.
  const spool = ReportSpool.create(cfg.output);
  try {
    // Read-only: a mistyped --db must not create an empty store and an empty "complete" report.
    const model = await withStore(cfg.database, { readonly: true, doing: "reading" }, (db) =>
      buildReport(
        db,
        period,
        cfg.repos.map((r) => r.name),
        now,
        spool,
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
    const written = await writeReport({ model, populations: spool }, period, cfg.output, templates);
    for (const g of model.coverage.gaps) log.warn(`gap: ${g}`);
    log.info("report written", {
      period: period.label,
      dir: written.dir,
      changes: model.totals.changes,
      files: written.count,
    });
    // S1's exceptions are about the people the matrix shows with conflicts: read theirs by
    // subject rather than every finding of the period.
    const named = new Set(model.people.filter((p) => p.conflicts.length > 0).map((p) => p.name));
    const duties = sortFindings([...named].flatMap((name) => spool.findingsOf("person", name)))
      .filter((f) => f.rule === "S1" && f.verdict === "exception")
      .map((f) => ({ person: f.subject.id, reason: f.reason }));
    return {
      dir: written.dir,
      files: written.files,
      gaps: model.coverage.gaps,
      changes: model.totals.changes,
      rules: model.rules.map((r) => ({ id: r.id, counts: r.counts })),
      access: model.access.verdicts
        .filter((f) => f.verdict !== "pass")
        .map((f) => ({ rule: f.rule, verdict: f.verdict, reason: f.reason })),
      deployments: model.deployments.verdicts
        .filter((f) => f.verdict !== "pass" && f.verdict !== "n/a")
        .map((f) => ({ rule: f.rule, verdict: f.verdict, deployment: f.subject.id, reason: f.reason })),
      provenance: model.provenance,
      duties,
    };
  } finally {
    spool.dispose();
  }
}

/** One line per rule: its verdicts and how many subjects got each ("C1: reviewed 3, not-reviewed 2"). */
export function ruleSummaryLines(rules: ReportResult["rules"]): string[] {
  return rules.map((r) => {
    const counts = Object.entries(r.counts).filter(([, n]) => n > 0);
    return `${r.id}: ${counts.length > 0 ? counts.map(([v, n]) => `${v} ${n}`).join(", ") : "nothing judged"}`;
  });
}
