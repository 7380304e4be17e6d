import type { Finding } from "../../src/evidence/finding.js";
import type { Period } from "../../src/period.js";
import type { EvidenceOptions } from "../../src/pipeline/evidence.js";
import type { ChangeRow } from "../../src/reports/change-rows.js";
import { buildReport, type ReportModel } from "../../src/reports/model.js";
import { type ReportPopulations, ReportSpool } from "../../src/reports/spool.js";
import type { DB } from "../../src/store/db.js";

/** A report with its populations read back whole from the spool: for tests over small worlds. */
export interface HeldReport extends Omit<ReportModel, "branches"> {
  changes: ChangeRow[];
  findings: Finding[];
  /** Per branch, its rows (the model keeps counts only). */
  branches: (ReportModel["branches"][number] & { rows: ChangeRow[] })[];
  /** The model as renderers read it. */
  model: ReportModel;
}

export function held(model: ReportModel, pops: ReportPopulations): HeldReport {
  const changes = [...pops.changes()];
  return {
    ...model,
    model,
    changes,
    findings: [...pops.findings()],
    branches: model.branches.map((b) => ({
      ...b,
      rows: changes.filter((c) => c.repo === b.repo && c.branch === b.branch),
    })),
  };
}

/** buildReport through a real spool, read back whole, the spool deleted. */
export function buildHeldReport(
  db: DB,
  period: Period,
  configuredRepos: readonly string[],
  now: Date | (() => Date),
  sources: { githubOrg?: string; clusters?: readonly string[] } = {},
  evidence: Omit<EvidenceOptions, "now"> = { people: [], exceptions: [] },
): HeldReport {
  const spool = ReportSpool.create();
  try {
    return held(buildReport(db, period, configuredRepos, now, spool, sources, evidence), spool);
  } finally {
    spool.dispose();
  }
}

/** Populations held in arrays: to render a report whose rows a test changed. */
export function memoryPopulations(changes: readonly ChangeRow[], findings: readonly Finding[]): ReportPopulations {
  return {
    changes: () => changes[Symbol.iterator](),
    findings: () => findings[Symbol.iterator](),
    findingsOf: (kind, id) => findings.filter((f) => f.subject.kind === kind && f.subject.id === id),
  };
}
