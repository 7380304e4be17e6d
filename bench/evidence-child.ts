import { buildIdentities } from "../src/evidence/identities.js";
import { judge } from "../src/evidence/judge.js";
import { buildPopulation } from "../src/evidence/population.js";
import { rewrites } from "../src/evidence/rewrites.js";
import { changeRules } from "../src/evidence/rules/index.js";
import { parsePeriod } from "../src/period.js";
import { buildEvidence, judgeChanges, judgePeriod } from "../src/pipeline/evidence.js";
import { openStore } from "../src/store/db.js";
import { observedIdentityRows, populationRows } from "../src/store/population-queries.js";
import { baseForcePushesIn, rewritesIn } from "../src/store/report-queries.js";
import { exceptions, people } from "./evidence-options.js";

/**
 * One measurement of bench/evidence.ts in its own process, so its peak RSS is its own. Prints
 * one JSON line. Modes:
 *   evidence  buildEvidence for 2026Q3: { ms, maxRssMb, changes, findings, kinds }
 *   stream    judgeChanges for 2026Q3 (a repository at a time, each change row and finding handed out and
 *             dropped): { ms, maxRssMb, changes, findings, handed }
 *   period    judgePeriod for 2026Q3 (the same, every change row kept, as today's report holds them): { ms, maxRssMb, changes, findings }
 *   raw       the floor: SELECT * of the rows populationRows reads, read raw: { ms, maxRssMb, rows }
 *   sections  where buildEvidence's time goes: { sections: [{ name, ms, rows?, rawMs?, heapMb? }] }
 * The store is opened read-only, as `changeproof report` opens it.
 */

const [mode, dbFile] = process.argv.slice(2);
if (!dbFile || !["evidence", "stream", "period", "raw", "sections"].includes(mode ?? "")) {
  throw new Error("usage: evidence-child evidence|stream|period|raw|sections <db>");
}
const period = parsePeriod("2026Q3");
const now = new Date("2026-10-20T00:00:00Z");
const maxRssMb = (): number => process.resourceUsage().maxRSS / 1024;
const from = period.from.toISOString();
const to = period.to.toISOString();
const fromSec = Math.floor(period.from.getTime() / 1000);
const toSec = Math.floor(period.to.getTime() / 1000);
const params = { from, to, fromSec, toSec };

// PR-scoped reads: the merged pull requests of the period, joined the simplest way.
const prIn = (table: string, alias: string): string =>
  `SELECT ${alias}.* FROM gh_pull_requests p JOIN ${table} ${alias} ON ${alias}.repo_id = p.repo_id AND ${alias}.pr_number = p.number
   WHERE p.state = 'MERGED' AND p.merged_at >= :from AND p.merged_at < :to`;

/**
 * The floor: every table populationRows (and the rewrite and base force-push reads) takes rows
 * from, SELECT * with the period's filter, each row read into an array and dropped.
 */
const FLOOR: string[] = [
  "SELECT * FROM repos",
  `SELECT * FROM branch_commits b JOIN commits c ON c.repo_id = b.repo_id AND c.sha = b.sha
   LEFT JOIN gh_commit_lookups l ON l.repo_id = b.repo_id AND l.oid = b.sha
   WHERE c.committer_time >= :fromSec AND c.committer_time < :toSec`,
  "SELECT * FROM gh_pull_requests WHERE state = 'MERGED' AND merged_at >= :from AND merged_at < :to",
  prIn("gh_reviews", "v"),
  prIn("gh_review_commits", "s"),
  prIn("gh_pr_events", "e"),
  prIn("gh_pr_commits", "c"),
  "SELECT * FROM collection_runs",
  "SELECT * FROM gh_snapshots s JOIN gh_snapshot_repos sr ON sr.snapshot_id = s.id",
  "SELECT * FROM gh_protection_rules",
  "SELECT * FROM gh_rulesets",
  "SELECT * FROM gh_members WHERE snapshot_id = (SELECT max(snapshot_id) FROM gh_members)",
  "SELECT * FROM history_rewrites",
  "SELECT * FROM gh_base_force_pushes",
];

const db = openStore(dbFile, { readonly: true });

if (mode === "evidence") {
  const t0 = performance.now();
  const { population, judgement } = buildEvidence(db, period, { people, exceptions, now });
  const ms = performance.now() - t0;
  const kinds: Record<string, number> = {};
  for (const c of population.changes) kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
  process.stdout.write(
    `${JSON.stringify({ ms, maxRssMb: maxRssMb(), changes: population.changes.length, findings: judgement.findings.length, kinds })}\n`,
  );
} else if (mode === "stream") {
  const t0 = performance.now();
  let handed = 0;
  const e = judgeChanges(
    db,
    period,
    { people, exceptions, now },
    {
      // Counted and dropped: the engine's cost, not the writing's (bench/report.ts times that).
      rows: (rows) => {
        handed += rows.length;
      },
      findings: (findings) => {
        handed += findings.length;
      },
    },
  );
  const ms = performance.now() - t0;
  process.stdout.write(
    `${JSON.stringify({ ms, maxRssMb: maxRssMb(), changes: e.changes, findings: e.findings, handed })}\n`,
  );
} else if (mode === "period") {
  const t0 = performance.now();
  const e = judgePeriod(db, period, { people, exceptions, now });
  const ms = performance.now() - t0;
  process.stdout.write(
    `${JSON.stringify({ ms, maxRssMb: maxRssMb(), changes: e.changes.length, findings: e.findings.length })}\n`,
  );
} else if (mode === "raw") {
  const t0 = performance.now();
  let rows = 0;
  db.transaction(() => {
    for (const sql of FLOOR) {
      const stmt = db.prepare(sql).raw(true);
      for (const _row of sql.includes(":") ? stmt.iterate(params) : stmt.iterate()) rows++;
    }
  })();
  const ms = performance.now() - t0;
  process.stdout.write(`${JSON.stringify({ ms, maxRssMb: maxRssMb(), rows })}\n`);
} else {
  // Every statement populationRows and the rewrite reads prepare, timed as they run (rows as
  // objects), then the same SQL read raw; then each step of buildEvidence and each rule.
  const LABELS: [RegExp, string][] = [
    [/SELECT DISTINCT c\.authors/, "SQL identities: pull request commits"],
    [/SELECT DISTINCT NULL, p\.author_login/, "SQL identities: authors, mergers, reviewers"],
    [/SELECT DISTINCT l\.authors/, "SQL identities: commit lookups"],
    [/FROM repos r ORDER BY/, "SQL repos"],
    [/FROM branch_commits b\s+JOIN repos/, "SQL commits (branch_commits + subqueries)"],
    [/FROM gh_pull_requests p JOIN repos/, "SQL pulls"],
    [/JOIN gh_reviews v/, "SQL reviews (+ first_commit_oid)"],
    [/JOIN gh_pr_events e ON e.repo_id = q/, "SQL events"],
    [/JOIN gh_pr_commits c ON c.repo_id = q/, "SQL prCommits"],
    [/FROM collection_runs\s+WHERE source = 'git'/, "SQL gitRuns"],
    [/FROM gh_snapshots s JOIN gh_snapshot_repos/, "SQL snapshots"],
    [/FROM gh_protection_rules/, "SQL protection"],
    [/FROM gh_rulesets/, "SQL rulesets"],
    [/WHERE EXISTS \(SELECT 1 FROM gh_members/, "SQL latest members snapshot"],
    [/SELECT login FROM gh_members/, "SQL members"],
    [/FROM history_rewrites h/, "SQL rewritesIn"],
    [/BaseRefForcePushedEvent/, "SQL baseForcePushesIn"],
  ];
  const captured: { name: string; sql: string; args: unknown[]; ms: number; rows: number }[] = [];
  const prepare = db.prepare.bind(db);
  const timed = (sql: string, fn: (...a: unknown[]) => unknown, args: unknown[]): unknown => {
    const t = performance.now();
    const r = fn(...args);
    const name = LABELS.find(([re]) => re.test(sql))?.[1] ?? `SQL ${sql.replace(/\s+/g, " ").slice(0, 40)}`;
    captured.push({ name, sql, args, ms: performance.now() - t, rows: Array.isArray(r) ? r.length : r ? 1 : 0 });
    return r;
  };
  Object.assign(db, {
    prepare: (sql: string) => {
      const stmt = prepare(sql);
      const all = stmt.all.bind(stmt) as (...a: unknown[]) => unknown;
      const get = stmt.get.bind(stmt) as (...a: unknown[]) => unknown;
      const iterate = stmt.iterate.bind(stmt) as (...a: unknown[]) => Iterable<unknown>;
      return Object.assign(stmt, {
        all: (...args: unknown[]) => timed(sql, all, args),
        get: (...args: unknown[]) => timed(sql, get, args),
        // Read whole to be timed; handed on as an iterator over the rows read.
        iterate: (...args: unknown[]) =>
          (timed(sql, (...a) => [...iterate(...a)], args) as unknown[])[Symbol.iterator](),
      });
    },
  });
  const sections: { name: string; ms: number; rows?: number; rawMs?: number; heapMb?: number }[] = [];
  // The live heap after a step (run with --expose-gc): what its result keeps, garbage collected.
  const gc = (globalThis as { gc?: () => void }).gc;
  const heapMb = (): { heapMb?: number } => {
    if (!gc) return {};
    gc();
    return { heapMb: process.memoryUsage().heapUsed / 2 ** 20 };
  };
  const time = <T>(name: string, fn: () => T, rows?: (r: T) => number, heap = true): T => {
    const t = performance.now();
    const r = fn();
    sections.push({ name, ms: performance.now() - t, ...(rows ? { rows: rows(r) } : {}), ...(heap ? heapMb() : {}) });
    return r;
  };
  sections.push({ name: "(start: store open)", ms: 0, ...heapMb() });
  const rows = time("populationRows (all statements)", () => populationRows(db, from, to));
  const idRows = observedIdentityRows(db, from, to);
  const rw = rewrites(rewritesIn(db, from, to, fromSec, toSec));
  const bfp = baseForcePushesIn(db, from, to);
  Object.assign(db, { prepare });
  for (const c of captured) {
    const t = performance.now();
    const stmt = prepare(c.sql).raw(true);
    for (const _row of stmt.iterate(...(c.args as []))) {
      /* read and dropped */
    }
    sections.push({ name: `  ${c.name}`, ms: c.ms, rows: c.rows, rawMs: performance.now() - t });
  }
  const identities = time("buildIdentities (period's identities)", () => buildIdentities(people, idRows));
  const population = time(
    "buildPopulation",
    () => buildPopulation({ period, rows, people, identities }),
    (p) => p.changes.length,
  );
  time(
    "judge (all rules, exceptions, sort)",
    () => judge({ population, rewrites: rw, baseForcePushes: bfp, exceptions, today: "2026-10-20" }),
    (j) => j.findings.length,
  );
  for (const rule of changeRules) {
    time(`  rule ${rule.doc.id} alone`, () => rule.evaluate(population), undefined, false);
  }
  process.stdout.write(`${JSON.stringify({ sections })}\n`);
}
db.close();
