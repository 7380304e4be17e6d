import { stringify } from "csv-stringify/sync";
import type { Coverage } from "../evidence/coverage.js";
import { CONFLICT_TEXT, type PersonDuties } from "../evidence/duties.js";
import type { Finding } from "../evidence/finding.js";
import type { UnresolvedIdentity } from "../evidence/population.js";
import type { BranchReconciliation } from "../evidence/reconciliation.js";
import type { AccessEvidence } from "../pipeline/access.js";
import type { DeploymentEvidence } from "../pipeline/deployments.js";
import { groupBy } from "../util/group-by.js";
import type { ChangeRow } from "./change-rows.js";
import type { TextOut } from "./export-writer.js";

/**
 * The populations as files other tools read (SPEC §4, a contract): changes.json/csv (every change
 * with every verdict) and findings.json/csv (every verdict other than pass and n/a, flat). CSV
 * cells that a spreadsheet would run as a formula (=, +, -, @ first) are escaped, because titles
 * and names come from git and GitHub and anyone can write them.
 */

export interface PopulationHeader {
  period: { label: string; from: string; to: string };
  generatedAt: string;
  toolVersion: string;
}

const csv = (header: string[], rows: string[][]): string =>
  stringify([header, ...rows], { escape_formulas: true, record_delimiter: "unix" });

const csvRows = (rows: string[][]): string => stringify(rows, { escape_formulas: true, record_delimiter: "unix" });

/** Rows written as they come, a batch at a time. */
function* batches<T>(items: Iterable<T>, size = 1000): Generator<T[]> {
  let batch: T[] = [];
  for (const x of items) {
    batch.push(x);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * A JSON document `{ ...head, <key>: [ ... ], ...tail }` written as its items come, one item per
 * line: valid JSON that a line-oriented tool can still cut.
 */
function jsonArrayDocument<T>(
  out: TextOut,
  head: Record<string, unknown>,
  key: string,
  items: Iterable<T>,
  tail: Record<string, unknown> = {},
): void {
  const opening = JSON.stringify(head, null, 2);
  out.write(`${opening.slice(0, -2)},\n  ${JSON.stringify(key)}: [`);
  let n = 0;
  for (const x of items) out.write(`${n++ === 0 ? "" : ","}\n    ${JSON.stringify(x)}`);
  out.write(n === 0 ? "]" : "\n  ]");
  for (const [k, v] of Object.entries(tail)) out.write(`,\n  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  out.write("\n}\n");
}

const CHANGE_COLUMNS = [
  "id",
  "repo",
  "branch",
  "also_on",
  "kind",
  "landed_at",
  "title",
  "author",
  "merged_by",
  "commits",
  "dropped_at",
];

function changeCells(rules: readonly string[], r: ChangeRow): string[] {
  const byRule = new Map(r.verdicts.map((v) => [v.rule, v]));
  return [
    r.id,
    r.repo,
    r.branch,
    r.alsoOn.join(" "),
    r.kind,
    r.landedAt,
    r.title,
    r.author,
    r.mergedBy,
    r.commits.join(" "),
    r.droppedAt ?? "",
    ...rules.map((id) => {
      const v = byRule.get(id);
      if (!v) return "";
      return v.accepted ? `${v.verdict} (accepted${v.accepted.overdue ? ", review overdue" : ""})` : v.verdict;
    }),
  ];
}

/** changes.json: every change with every verdict, one change per line. */
export function writeChangesJson(
  out: TextOut,
  h: PopulationHeader,
  rules: readonly string[],
  rows: Iterable<ChangeRow>,
): void {
  jsonArrayDocument(out, { ...h, rules }, "changes", rows);
}

/** changes.csv: one row per change, a column per change rule. */
export function writeChangesCsv(out: TextOut, rules: readonly string[], rows: Iterable<ChangeRow>): void {
  out.write(csv([...CHANGE_COLUMNS, ...rules], []));
  for (const b of batches(rows)) out.write(csvRows(b.map((r) => changeCells(rules, r))));
}

/** findings.json: every finding, flat, then the identities nobody resolves and the contested emails. */
export function writeFindingsJson(
  out: TextOut,
  h: PopulationHeader,
  findings: Iterable<Finding>,
  unresolved: readonly UnresolvedIdentity[],
  identityConflicts: readonly { email: string; claimedBy: string[] }[],
): void {
  jsonArrayDocument(out, { ...h }, "findings", findings, {
    unresolvedIdentities: unresolved,
    identityConflicts,
  });
}

const FINDING_COLUMNS = [
  "rule",
  "verdict",
  "subject_kind",
  "subject",
  "reason",
  "criteria",
  "accepted",
  "review_due",
  "overdue",
  "evidence",
];

function findingCells(f: Finding): string[] {
  return [
    f.rule,
    f.verdict,
    f.subject.kind,
    f.subject.id,
    f.reason,
    f.criteria.join(" "),
    f.accepted
      ? `${f.accepted.at}: ${f.accepted.reason} (approved by ${f.accepted.approvedBy}, ${f.accepted.ticket})`
      : "",
    f.accepted?.reviewDue ?? "",
    f.accepted ? (f.accepted.overdue ? "yes" : "no") : "",
    evidenceText(f),
  ];
}

/** findings.csv: one row per finding. */
export function writeFindingsCsv(out: TextOut, findings: Iterable<Finding>): void {
  out.write(csv(FINDING_COLUMNS, []));
  for (const b of batches(findings)) out.write(csvRows(b.map(findingCells)));
}

/** Findings (or any verdicts) as CSV in findings.csv's columns. */
export function findingsCsv(findings: readonly Finding[]): string {
  return csv(FINDING_COLUMNS, findings.map(findingCells));
}

/** A finding's evidence in one CSV cell: "label: value <url> | ...". */
const evidenceText = (f: Finding): string =>
  f.evidence.map((e) => `${e.label}: ${e.value}${e.url ? ` <${e.url}>` : ""}`).join(" | ");

/** access.json: the access review (A1-A4), every verdict (pass included), and the snapshots it read. */
export function accessJson(h: PopulationHeader, access: AccessEvidence): string {
  return `${JSON.stringify({ ...h, snapshots: access.snapshots, repos: access.repos, verdicts: access.verdicts }, null, 2)}\n`;
}

/** access.csv: one row per access verdict, pass included, in findings.csv's columns. */
export const accessCsv = (access: AccessEvidence): string => findingsCsv(access.verdicts);

/** people.json: the separation-of-duties matrix (S1), one row per person. */
export function peopleJson(h: PopulationHeader, people: readonly PersonDuties[]): string {
  return `${JSON.stringify({ ...h, people }, null, 2)}\n`;
}

/** people.csv: the same, lists space-separated, conflicts "; "-separated. */
export function peopleCsv(people: readonly PersonDuties[]): string {
  return csv(
    [
      "person",
      "key",
      "service",
      "authored",
      "approved",
      "approved_counted",
      "merged",
      "deployed",
      "owner",
      "app_write",
      "app_admin",
      "gitops_write",
      "gitops_admin",
      "gitops_without_review",
      "conflicts",
    ],
    people.map((p) => [
      p.name,
      p.key,
      p.service ?? "",
      String(p.authored),
      String(p.approved),
      String(p.approvedCounted),
      String(p.merged),
      String(p.deployed),
      p.rights.owner ? "yes" : "no",
      p.rights.appWrite.join(" "),
      p.rights.appAdmin.join(" "),
      p.rights.gitopsWrite.join(" "),
      p.rights.gitopsAdmin.join(" "),
      p.rights.gitopsUnreviewed.join(" "),
      p.conflicts.map((c) => `${CONFLICT_TEXT[c.kind]} ${c.subject}`).join("; "),
    ]),
  );
}

/** deployments.json: every deployment of the period, what it introduced, and C9 and C10's verdicts. */
export function deploymentsJson(h: PopulationHeader, d: DeploymentEvidence): string {
  const verdictsOf = groupBy(d.verdicts, (f) => f.subject.id);
  const deployments = d.deployments.map((x) => ({
    ...x,
    verdicts: (verdictsOf.get(`${x.id} ${x.at}`) ?? []).map((f) => ({
      rule: f.rule,
      verdict: f.verdict,
      reason: f.reason,
    })),
  }));
  return `${JSON.stringify({ ...h, deployments }, null, 2)}\n`;
}

/** deployments.csv: one row per deployment. */
export function deploymentsCsv(d: DeploymentEvidence): string {
  const byKey = new Map(d.verdicts.map((f) => [`${f.subject.id}\u0000${f.rule}`, f.verdict]));
  const verdict = (id: string, rule: string): string => byKey.get(`${id}\u0000${rule}`) ?? "";
  return csv(
    [
      "id",
      "at",
      "reconciler",
      "target",
      "source",
      "revision",
      "outcome",
      "initiated_by",
      "automated",
      "rollback",
      "previous",
      "after_gap",
      "introduced_commits",
      "introduced_changes",
      "C9",
      "C10",
    ],
    d.deployments.map((x) => [
      x.id,
      x.at,
      x.reconciler,
      x.target,
      x.source ?? "",
      x.revision,
      x.outcome,
      x.initiatedBy ?? "",
      x.automated === null ? "" : x.automated ? "yes" : "no",
      x.rollback ? "yes" : "no",
      x.previous?.id ?? "",
      x.afterGap ? "yes" : "no",
      x.introduced ? String(x.introduced.commits.length) : "",
      x.introduced ? x.introduced.changes.map((c) => c.id).join(" ") : "",
      verdict(`${x.id} ${x.at}`, "C9"),
      verdict(`${x.id} ${x.at}`, "C10"),
    ]),
  );
}

/**
 * coverage.json (P1): what the evidence covers and how completely: the repositories' collection,
 * every gap, the run ledger and the runs used, and the population reconciliation per protected
 * branch with the git command that recounts it.
 */
export function coverageJson(
  h: PopulationHeader,
  coverage: Coverage,
  reconciliation: readonly BranchReconciliation[],
  method: readonly string[],
  runs: readonly unknown[] = [],
): string {
  return `${JSON.stringify({ ...h, complete: coverage.gaps.length === 0, ...coverage, runs, reconciliation, method }, null, 2)}\n`;
}
