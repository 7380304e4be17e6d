import type { ExceptionEntry } from "../config/exceptions-register.js";
import type { PersonConfig } from "../config/schema.js";
import { type Finding, isFinding } from "../evidence/finding.js";
import { buildIdentities, type Identities } from "../evidence/identities.js";
import { c8Findings, changeVerdicts, type Judgement, judge, registerFindings } from "../evidence/judge.js";
import { buildPopulation, type Population, type UnresolvedIdentity } from "../evidence/population.js";
import { type Rewrite, rewrites } from "../evidence/rewrites.js";
import type { Period } from "../period.js";
import { type ChangeRow, changeRows, type RuleSummary, ruleSummaries } from "../reports/change-rows.js";
import type { DB } from "../store/db.js";
import { observedIdentityRows, populationRows } from "../store/population-queries.js";
import { baseForcePushesIn, listRepos, rewritesIn } from "../store/report-queries.js";
import { compareText } from "../util/compare.js";

/** The evidence of a period: the change population built from the store, and every rule's verdict on it. */
export interface Evidence {
  population: Population;
  judgement: Judgement;
}

export interface EvidenceOptions {
  people: readonly PersonConfig[];
  exceptions: readonly ExceptionEntry[];
  now: Date;
}

const bounds = (period: Period) => ({
  from: period.from.toISOString(),
  to: period.to.toISOString(),
  fromSec: Math.floor(period.from.getTime() / 1000),
  toSec: Math.floor(period.to.getTime() / 1000),
});

/** Identity resolution for the whole period, from the people registry and GitHub's identities. */
function periodIdentities(db: DB, period: Period, people: readonly PersonConfig[]): Identities {
  const b = bounds(period);
  return buildIdentities(people, observedIdentityRows(db, b.from, b.to));
}

/** The period's history rewrites as git observed them. */
function periodRewrites(db: DB, period: Period): Rewrite[] {
  const b = bounds(period);
  return rewrites(rewritesIn(db, b.from, b.to, b.fromSec, b.toSec));
}

/** The whole population held at once, with every verdict: for sampling, tests and small stores. */
export function buildEvidence(db: DB, period: Period, o: EvidenceOptions): Evidence {
  const b = bounds(period);
  const population = buildPopulation({
    period,
    rows: populationRows(db, b.from, b.to),
    people: o.people,
    identities: periodIdentities(db, period, o.people),
  });
  const judgement = judge({
    population,
    rewrites: periodRewrites(db, period),
    baseForcePushes: baseForcePushesIn(db, b.from, b.to),
    exceptions: o.exceptions,
    today: o.now.toISOString().slice(0, 10),
  });
  return { population, judgement };
}

/**
 * The period's population a repository at a time (in name order, so their changes concatenate in
 * the population's order), identities resolved once for all: only one repository's rows are held.
 */
export function* repoPopulations(
  db: DB,
  period: Period,
  people: readonly PersonConfig[],
  identities: Identities = periodIdentities(db, period, people),
): Generator<Population> {
  const b = bounds(period);
  for (const repo of listRepos(db)) {
    yield buildPopulation({ period, rows: populationRows(db, b.from, b.to, repo.id), people, identities });
  }
}

/** What a report keeps of a period's evidence: rows and findings, not the facts behind them. */
export interface PeriodEvidence {
  changes: ChangeRow[];
  findings: Finding[];
  rules: RuleSummary[];
  unresolved: UnresolvedIdentity[];
  identityConflicts: { email: string; claimedBy: string[] }[];
  /** The rewrites C8 judged, for the report's own table. */
  rewrites: Rewrite[];
}

/**
 * The period judged a repository at a time: each repository's rows are read, its population built
 * and judged, and only its change rows and findings kept, so memory follows the largest
 * repository rather than the whole organisation. Identities are resolved once for all of them and
 * the register is applied to the period's findings together (an entry may name any repository).
 */
export function judgePeriod(db: DB, period: Period, o: EvidenceOptions): PeriodEvidence {
  const b = bounds(period);
  const identities = periodIdentities(db, period, o.people);
  const rows: ChangeRow[] = [];
  const found: Finding[] = [];
  const unresolved = new Map<string, Set<string>>();
  for (const population of repoPopulations(db, period, o.people, identities)) {
    const verdicts = changeVerdicts(population);
    const byChange = new Map<string, Finding[]>();
    for (const v of verdicts) {
      const list = byChange.get(v.subject.id);
      if (list) list.push(v);
      else byChange.set(v.subject.id, [v]);
      if (isFinding(v)) found.push(v);
    }
    rows.push(...changeRows(population, byChange));
    for (const u of population.unresolved) {
      const ids = unresolved.get(u.identity) ?? new Set<string>();
      for (const id of u.changes) ids.add(id);
      unresolved.set(u.identity, ids);
    }
  }
  const rewritten = periodRewrites(db, period);
  found.push(...c8Findings(rewritten, baseForcePushesIn(db, b.from, b.to)));
  const registered = registerFindings(found, o.exceptions, o.now.toISOString().slice(0, 10));
  // The register's acceptances shown on the rows' cells too.
  const accepted = new Map<string, Finding>();
  for (const f of registered.inOrder) if (f.accepted) accepted.set(`${f.subject.id}\u0000${f.rule}`, f);
  for (const r of rows) {
    for (const cell of r.verdicts) {
      const a = accepted.get(`${r.id}\u0000${cell.rule}`);
      if (a?.accepted && a.verdict === cell.verdict) cell.accepted = a.accepted;
    }
  }
  const branchFindings = registered.findings.filter((f) => f.subject.kind !== "change");
  return {
    changes: rows,
    findings: registered.findings,
    rules: ruleSummaries([...rows.flatMap((r) => r.verdicts), ...branchFindings]),
    unresolved: [...unresolved]
      .map(([identity, ids]) => ({ identity, changes: [...ids].sort() }))
      .sort((x, y) => compareText(x.identity, y.identity)),
    identityConflicts: identities.conflicts,
    rewrites: rewritten,
  };
}
