import type { ExceptionEntry } from "../config/exceptions-register.js";
import type { PersonConfig } from "../config/schema.js";
import { type Judgement, judge } from "../evidence/judge.js";
import { buildPopulation, type Population } from "../evidence/population.js";
import { rewrites } from "../evidence/rewrites.js";
import type { Period } from "../period.js";
import type { DB } from "../store/db.js";
import { populationRows } from "../store/population-queries.js";
import { baseForcePushesIn, rewritesIn } from "../store/report-queries.js";

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

export function buildEvidence(db: DB, period: Period, o: EvidenceOptions): Evidence {
  const from = period.from.toISOString();
  const to = period.to.toISOString();
  const fromSec = Math.floor(period.from.getTime() / 1000);
  const toSec = Math.floor(period.to.getTime() / 1000);
  const population = buildPopulation({ period, rows: populationRows(db, from, to), people: o.people });
  const judgement = judge({
    population,
    rewrites: rewrites(rewritesIn(db, from, to, fromSec, toSec)),
    baseForcePushes: baseForcePushesIn(db, from, to),
    exceptions: o.exceptions,
    today: o.now.toISOString().slice(0, 10),
  });
  return { population, judgement };
}
