import { UTCDate } from "@date-fns/utc";
import { addMonths, addQuarters, addYears, format, startOfQuarter, subQuarters } from "date-fns";
import { UsageError } from "./errors/index.js";
import { oneLine } from "./util/visible.js";

/** The audit window [from, to) in UTC, with the label it was asked for by. */
export interface Period {
  label: string;
  from: Date;
  to: Date;
}

// Calendar arithmetic in UTC (the audit window's zone), through date-fns on UTCDate: the machine's
// own time zone never moves a quarter's edges.
const utc = (y: number, m: number): UTCDate => new UTCDate(Date.UTC(y, m, 1));
const asDate = (d: Date): Date => new Date(d.getTime());

/** The quarter that contains `d`, labelled as people write it (2026Q3). */
export function quarterOf(d: Date): Period {
  const from = startOfQuarter(new UTCDate(d.getTime()));
  return { label: format(from, "yyyy'Q'Q"), from: asDate(from), to: asDate(addQuarters(from, 1)) };
}

/**
 * `2026Q3`, `this-quarter`, `last-quarter` (the last complete one before `now`), `2026-07` (a
 * month), `2026` (a year), or `2026-07-01..2026-10-01`.
 */
export function parsePeriod(spec: string, now: Date = new Date()): Period {
  const s = spec.trim();
  if (/^this-quarter$/i.test(s)) return quarterOf(now);
  if (/^last-quarter$/i.test(s)) return quarterOf(subQuarters(startOfQuarter(new UTCDate(now.getTime())), 1));
  let m = /^(\d{4})-?Q([1-4])$/i.exec(s);
  if (m) return quarterOf(utc(Number(m[1]), (Number(m[2]) - 1) * 3));
  m = /^(\d{4})-(\d{2})$/.exec(s);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12) {
    const from = utc(Number(m[1]), Number(m[2]) - 1);
    return { label: s, from: asDate(from), to: asDate(addMonths(from, 1)) };
  }
  m = /^(\d{4})$/.exec(s);
  if (m) {
    const from = utc(Number(m[1]), 0);
    return { label: s, from: asDate(from), to: asDate(addYears(from, 1)) };
  }
  const notAPeriod = (why: string): UsageError =>
    new UsageError(
      `--period "${oneLine(spec, 100)}" is not a period${why}: use 2026Q3, last-quarter, this-quarter, 2026-07, 2026 or 2026-07-01..2026-10-01`,
    );
  m = /^(.+)\.\.(.+)$/.exec(s);
  if (m?.[1] && m[2]) {
    const from = instant(m[1]);
    const to = instant(m[2]);
    if (!from) throw notAPeriod(` (its start "${oneLine(m[1], 40)}" is not a date)`);
    if (!to) throw notAPeriod(` (its end "${oneLine(m[2], 40)}" is not a date)`);
    if (to.getTime() <= from.getTime()) throw notAPeriod(" (its end is not after its start)");
    return range(from, to);
  }
  throw notAPeriod("");
}

/** A date (YYYY-MM-DD, UTC midnight) or an ISO instant with a zone; undefined for anything else. */
function instant(value: string): Date | undefined {
  const v = value.trim();
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(v);
  const withTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v);
  const d = dateOnly ? new Date(`${v}T00:00:00Z`) : withTime ? new Date(v) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d : undefined;
}

function parseInstant(value: string, option: string): Date {
  const d = instant(value);
  if (!d) {
    throw new UsageError(`${option} "${oneLine(value, 100)}" is not a date: use YYYY-MM-DD or an ISO time with a zone`);
  }
  return d;
}

function range(f: Date, t: Date): Period {
  const day = (d: Date): string => d.toISOString().slice(0, 10);
  return { label: `${day(f)}..${day(t)}`, from: f, to: t };
}

/** [from, to) from two dates (YYYY-MM-DD, UTC midnight) or ISO instants with a zone. */
export function periodFromRange(from: string, to: string): Period {
  const f = parseInstant(from, "--from");
  const t = parseInstant(to, "--to");
  if (t.getTime() <= f.getTime()) throw new UsageError(`--to ${to} must be after --from ${from}`);
  return range(f, t);
}

/** A label safe as one folder name. */
export function periodSlug(p: Period): string {
  return p.label.replace(/[^A-Za-z0-9.-]+/g, "_");
}
