import type { ExceptionEntry } from "../config/exceptions-register.js";
import type { PersonConfig } from "../config/schema.js";
import type { LandedChange } from "../evidence/deployments/linkage.js";
import { DutiesTally, type PersonDuties } from "../evidence/duties.js";
import { RegisterMatcher } from "../evidence/exceptions.js";
import { type Finding, isFinding } from "../evidence/finding.js";
import { buildIdentities, type Identities } from "../evidence/identities.js";
import {
  c8Findings,
  changeVerdicts,
  type Judgement,
  judge,
  registerOwnFindings,
  sortFindings,
} from "../evidence/judge.js";
import { buildPopulation, type Population, type UnresolvedIdentity } from "../evidence/population.js";
import { type BranchReconciliation, firstParentDated, ReconciliationTally } from "../evidence/reconciliation.js";
import { type Rewrite, rewrites } from "../evidence/rewrites.js";
import { s1SeparationOfDuties } from "../evidence/rules/s1-separation-of-duties.js";
import type { Period } from "../period.js";
import { type ChangeRow, changeRows, RowInterner, type RuleSummary, RuleTally } from "../reports/change-rows.js";
import { manualSyncsBy } from "../store/access-queries.js";
import type { DB } from "../store/db.js";
import {
  type FirstParentRow,
  observedIdentityRows,
  type PeriodContextRows,
  type PopulationCommitRow,
  periodContextRows,
  populationRows,
  repoChangeRows,
} from "../store/population-queries.js";
import { baseForcePushesIn, rewritesIn } from "../store/report-queries.js";
import { compareText } from "../util/compare.js";
import { type AccessEvidence, judgeAccess, readAccess } from "./access.js";
import { type DeploymentEvidence, judgeDeployments } from "./deployments.js";
import { ImageTracer } from "./provenance.js";

/**
 * A deployment that introduced a change with one of these rules' findings is unexplained (C9):
 * SPEC names C2, C6 and C7; a pull request C1 found not reviewed is no better explained.
 */
const DEPLOYMENT_CONCERNS = new Set(["C1", "C2", "C6", "C7", "C12"]);

/**
 * A change's findings that make a deployment introducing it unexplained (C9). An automation's
 * direct push whose images C12 traced to reviewed changes is explained by them (SPEC C7).
 */
export function deploymentConcerns(verdicts: readonly Finding[]): string[] {
  const traced = verdicts.some((v) => v.rule === "C12" && v.verdict === "traced");
  return verdicts
    .filter((v) => DEPLOYMENT_CONCERNS.has(v.rule) && isFinding(v) && !(traced && v.rule === "C7"))
    .map((v) => `${v.rule} ${v.verdict}`);
}

/** The evidence of a period: the change population built from the store, and every rule's verdict on it. */
export interface Evidence {
  population: Population;
  judgement: Judgement;
}

export interface EvidenceOptions {
  people: readonly PersonConfig[];
  exceptions: readonly ExceptionEntry[];
  now: Date;
  /** repos[].images of the config, by repository name: which images each application repository builds (C12). */
  images?: ReadonlyMap<string, readonly string[]>;
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
  const identities = periodIdentities(db, period, o.people);
  const rows = populationRows(db, b.from, b.to);
  const population = imageTracer(db, period, o, identities, rows).attach(
    buildPopulation({ period, rows, people: o.people, identities }),
  );
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
  // Read once: every repository's population reads the same repositories, runs and snapshots.
  context: PeriodContextRows = periodContextRows(db, bounds(period).to),
  /** Sees each repository's branch-commit rows (the reconciliation counts them, unread again). */
  onCommits?: (commits: readonly PopulationCommitRow[]) => void,
): Generator<Population> {
  const b = bounds(period);
  for (const repo of context.repos) {
    yield repoPopulation(db, period, people, identities, context, repo.id, b, onCommits);
  }
}

/**
 * One repository's population. Its own function so the rows it was built from are garbage once it
 * returns, not held by the generator's frame while the population is judged.
 */
function repoPopulation(
  db: DB,
  period: Period,
  people: readonly PersonConfig[],
  identities: Identities,
  context: PeriodContextRows,
  repoId: number,
  b: ReturnType<typeof bounds>,
  onCommits?: (commits: readonly PopulationCommitRow[]) => void,
): Population {
  const rows = { ...context, ...repoChangeRows(db, context.repos, b.from, b.to, repoId) };
  onCommits?.(rows.commits);
  return buildPopulation({ period, rows, people, identities });
}

/** The C12 tracer for a period: its identities and context rows serve changes landed in it. */
function imageTracer(
  db: DB,
  period: Period,
  o: EvidenceOptions,
  identities: Identities,
  context: PeriodContextRows,
): ImageTracer {
  return new ImageTracer(db, {
    period,
    people: o.people,
    identities,
    repos: context.repos,
    context,
    images: o.images ?? new Map(),
  });
}

/** What a period's judgement keeps besides its change rows and findings: what the outputs summarise. */
export interface PeriodJudgement {
  rules: RuleSummary[];
  unresolved: UnresolvedIdentity[];
  identityConflicts: { email: string; claimedBy: string[] }[];
  /** The rewrites C8 judged, for the report's own table. */
  rewrites: Rewrite[];
  /** How many change rows and findings were handed out. */
  changes: number;
  findings: number;
  /** The access review (A1-A4): its findings went to the sink, its verdicts are in `rules`. */
  access: AccessEvidence;
  /** The separation-of-duties matrix (S1), one row per person. */
  people: PersonDuties[];
  /** The period's deployments linked to the changes they introduced (C9, C10). */
  deployments: DeploymentEvidence;
  /** The population reconciliation per protected branch (SPEC §3a; P1 judges it with the gaps). */
  reconciliation: BranchReconciliation[];
}

/**
 * Where a period's judgement goes as it is made: change rows (a repository's at a time, in the
 * population's order, acceptances marked) and findings (every verdict other than pass and n/a,
 * unsorted). Neither is kept by the judgement, so memory follows the largest repository.
 */
export interface EvidenceSink {
  rows(rows: readonly ChangeRow[]): void;
  findings(findings: readonly Finding[]): void;
}

/** What a report keeps of a period's evidence held at once: rows and sorted findings. */
export interface PeriodEvidence extends Omit<PeriodJudgement, "changes" | "findings"> {
  changes: ChangeRow[];
  findings: Finding[];
}

/**
 * The period judged a repository at a time: each repository's rows are read, its population built
 * and judged, and its change rows and findings handed to `sink` and not kept, so memory follows
 * the largest repository, not the whole organisation's changes. Identities are resolved once for all repositories and the
 * register is matched across all of them (an entry may name any repository). All of it is read
 * in one read transaction: a collect writing beside it cannot show up part-way.
 */
export function judgeChanges(db: DB, period: Period, o: EvidenceOptions, sink: EvidenceSink): PeriodJudgement {
  return db.transaction((): PeriodJudgement => {
    const b = bounds(period);
    const identities = periodIdentities(db, period, o.people);
    const register = new RegisterMatcher(o.exceptions, o.now.toISOString().slice(0, 10));
    let found = 0;
    const emit = (fs: readonly Finding[]): void => {
      found += fs.length;
      if (fs.length > 0) sink.findings(fs);
    };
    // Findings the register may have accepted, then the register's own on them (an overdue review).
    const emitAccepted = (fs: readonly Finding[]): void => {
      emit(fs);
      emit(registerOwnFindings(fs, []));
    };
    const unresolved = new Map<string, Set<string>>();
    const shared = new RowInterner();
    const tally = new RuleTally();
    const duties = new DutiesTally(identities);
    const gitopsLanded = new Map<string, LandedChange>();
    const reconciled = new ReconciliationTally();
    let changes = 0;
    const context = periodContextRows(db, b.to);
    const tracer = imageTracer(db, period, o, identities, context);
    const datedInPeriod: FirstParentRow[] = [];
    const onCommits = (commits: readonly PopulationCommitRow[]) => {
      for (const r of firstParentDated(commits, b.fromSec, b.toSec)) datedInPeriod.push(r);
    };
    for (const built of repoPopulations(db, period, o.people, identities, context, onCommits)) {
      const population = tracer.attach(built);
      const byChange = new Map<string, Finding[]>();
      const repoFound: Finding[] = [];
      for (const verdict of changeVerdicts(population)) {
        let v = verdict;
        if (isFinding(v)) {
          v = register.accept(v);
          repoFound.push(v);
        }
        const list = byChange.get(v.subject.id);
        if (list) list.push(v);
        else byChange.set(v.subject.id, [v]);
      }
      emitAccepted(repoFound);
      duties.add(population, (id, rule) => byChange.get(id)?.find((v) => v.rule === rule)?.verdict);
      reconciled.add(population);
      for (const c of population.changes) {
        if (c.role !== "gitops") continue;
        const concerns = deploymentConcerns(byChange.get(c.id) ?? []);
        const landed = { id: c.id, concerns };
        for (const commit of c.commits) gitopsLanded.set(commit.sha, landed);
      }
      const rows = changeRows(population, byChange, shared);
      for (const r of rows) tally.add(r.verdicts);
      changes += rows.length;
      sink.rows(rows);
      for (const u of population.unresolved) {
        const ids = unresolved.get(u.identity) ?? new Set<string>();
        for (const id of u.changes) ids.add(id);
        unresolved.set(u.identity, ids);
      }
    }
    const rewritten = periodRewrites(db, period);
    const branchFindings = c8Findings(rewritten, baseForcePushesIn(db, b.from, b.to)).map((f) => register.accept(f));
    tally.add(branchFindings);
    emitAccepted(branchFindings);
    const deployments = judgeDeployments(db, period, gitopsLanded);
    tally.add(deployments.verdicts);
    emit(deployments.verdicts.filter(isFinding));
    const accessContext = readAccess(db);
    const access = judgeAccess(db, period, accessContext);
    tally.add(access.verdicts);
    emit(access.verdicts.filter(isFinding));
    duties.addDeployments(manualSyncsBy(db, b.from, b.to));
    duties.addDeployed(deployments.deployments);
    duties.addRights(accessContext.history, period, accessContext.repos);
    const people = duties.people();
    const s1 = s1SeparationOfDuties.evaluate({ people });
    tally.add(s1);
    emit(s1.filter(isFinding));
    emit(registerOwnFindings([], register.unmatched()));
    return {
      rules: tally.summaries(),
      unresolved: [...unresolved]
        .map(([identity, ids]) => ({ identity, changes: [...ids].sort() }))
        .sort((x, y) => compareText(x.identity, y.identity)),
      identityConflicts: identities.conflicts,
      rewrites: rewritten,
      changes,
      findings: found,
      access,
      people,
      deployments,
      reconciliation: reconciled.reconcile(datedInPeriod, period),
    };
  })();
}

/** The period judged with every change row and finding kept: for tests, sampling and small stores. */
export function judgePeriod(db: DB, period: Period, o: EvidenceOptions): PeriodEvidence {
  const changes: ChangeRow[] = [];
  const findings: Finding[] = [];
  const judged = judgeChanges(db, period, o, {
    rows: (rows) => {
      for (const r of rows) changes.push(r);
    },
    findings: (fs) => {
      for (const f of fs) findings.push(f);
    },
  });
  return { ...judged, changes, findings: sortFindings(findings) };
}
