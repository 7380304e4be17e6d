import { UsageError } from "./errors/index.js";

/** The audit window [from, to) in UTC, with the label it was asked for by. */
export interface Period {
  label: string;
  from: Date;
  to: Date;
}

const utc = (y: number, m: number, d = 1): Date => new Date(Date.UTC(y, m, d));

/** `2026Q3`, `2026-07` (a month), `2026` (a year), or `2026-07-01..2026-10-01`. */
export function parsePeriod(spec: string): Period {
  const s = spec.trim();
  let m = /^(\d{4})-?Q([1-4])$/i.exec(s);
  if (m) {
    const y = Number(m[1]);
    const q = Number(m[2]);
    return { label: `${y}Q${q}`, from: utc(y, (q - 1) * 3), to: utc(y, q * 3) };
  }
  m = /^(\d{4})-(\d{2})$/.exec(s);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12) {
    const y = Number(m[1]);
    const mo = Number(m[2]) - 1;
    return { label: s, from: utc(y, mo), to: utc(y, mo + 1) };
  }
  m = /^(\d{4})$/.exec(s);
  if (m) {
    const y = Number(m[1]);
    return { label: s, from: utc(y, 0), to: utc(y + 1, 0) };
  }
  m = /^(.+)\.\.(.+)$/.exec(s);
  if (m?.[1] && m[2]) return periodFromRange(m[1], m[2]);
  throw new UsageError(`--period "${spec}" is not a period: use 2026Q3, 2026-07, 2026 or 2026-07-01..2026-10-01`);
}

function parseInstant(value: string, option: string): Date {
  const v = value.trim();
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(v);
  const withTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v);
  const d = dateOnly ? new Date(`${v}T00:00:00Z`) : withTime ? new Date(v) : new Date(Number.NaN);
  if (Number.isNaN(d.getTime())) {
    throw new UsageError(`${option} "${value}" is not a date: use YYYY-MM-DD or an ISO time with a zone`);
  }
  return d;
}

/** [from, to) from two dates (YYYY-MM-DD, UTC midnight) or ISO instants with a zone. */
export function periodFromRange(from: string, to: string): Period {
  const f = parseInstant(from, "--from");
  const t = parseInstant(to, "--to");
  if (t.getTime() <= f.getTime()) throw new UsageError(`--to ${to} must be after --from ${from}`);
  const day = (d: Date): string => d.toISOString().slice(0, 10);
  return { label: `${day(f)}..${day(t)}`, from: f, to: t };
}

/** The quarter that contains `d`. */
export function quarterOf(d: Date): Period {
  return parsePeriod(`${d.getUTCFullYear()}Q${Math.floor(d.getUTCMonth() / 3) + 1}`);
}

/** A label safe as one folder name. */
export function periodSlug(p: Period): string {
  return p.label.replace(/[^A-Za-z0-9.-]+/g, "_");
}
