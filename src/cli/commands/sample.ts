import type { LoadedConfig } from "../../config/load.js";
import { UsageError } from "../../errors/index.js";
import type { ChangeKind } from "../../evidence/population.js";
import { defaultSampleSize, drawSample, newSeed } from "../../evidence/sample.js";
import type { Period } from "../../period.js";
import { repoPopulations } from "../../pipeline/evidence.js";
import { kindLabel } from "../../reports/change-rows.js";
import { withStore } from "../../store/db.js";
import { jsonLine } from "../../util/visible.js";

export interface SampleOptions {
  size?: string | undefined;
  seed?: string | undefined;
  json: boolean;
}

/** A size as typed: a whole number of 1 or more. */
function parseSize(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw new UsageError(`--size "${raw}" must be a whole number above 0`);
  return Number(raw);
}

/** A seed someone can type again: printable, no spaces, at most 200 characters. */
function parseSeed(raw: string | undefined): string {
  if (raw === undefined) return newSeed();
  if (!/^[\x21-\x7e]{1,200}$/.test(raw)) {
    throw new UsageError("--seed must be 1 to 200 printable characters without spaces (it is the HMAC key)");
  }
  return raw;
}

/**
 * `changeproof sample`: a reproducible random sample of the period's change population (SPEC
 * §4), with the seed and the population's SHA-256, so an auditor can re-perform the draw.
 */
export async function sampleCommand(
  cfg: LoadedConfig,
  period: Period,
  o: SampleOptions,
  out: (line: string) => void,
): Promise<void> {
  const size = parseSize(o.size);
  const seed = parseSeed(o.seed);
  // Only what a sample shows is kept of each repository's population.
  const byId = await withStore(cfg.database, { readonly: true, doing: "reading" }, (db) => {
    const kept = new Map<string, { kind: ChangeKind; landedAt: string; title: string; url: string | null }>();
    for (const pop of repoPopulations(db, period, cfg.people)) {
      for (const c of pop.changes) kept.set(c.id, { kind: c.kind, landedAt: c.landedAt, title: c.title, url: c.url });
    }
    return kept;
  });
  const sample = drawSample([...byId.keys()], { seed, ...(size !== undefined ? { size } : {}) });
  const drawn = sample.drawn.map((d, i) => {
    const c = byId.get(d.id);
    return {
      n: i + 1,
      id: d.id,
      rank: d.rank,
      kind: c?.kind ?? "unknown",
      landedAt: c?.landedAt ?? "",
      title: c?.title ?? "",
      url: c?.url ?? null,
    };
  });
  const scope = { label: period.label, from: period.from.toISOString(), to: period.to.toISOString() };
  if (o.json) {
    out(
      jsonLine({
        period: scope,
        seed: sample.seed,
        populationSize: sample.populationSize,
        populationSha256: sample.populationSha256,
        requested: sample.requested,
        defaultSize: defaultSampleSize(sample.populationSize),
        method: sample.method,
        drawn,
      }),
    );
    return;
  }
  out(`period ${period.label}: ${scope.from} .. ${scope.to} (end excluded)`);
  out(`population: ${sample.populationSize} changes, SHA-256 ${sample.populationSha256} (sorted ids, one per line)`);
  out(`seed: ${sample.seed}`);
  const sizeNote =
    size === undefined
      ? "default size for this population"
      : size > sample.populationSize
        ? "asked for more than the population holds"
        : "size asked for";
  out(`sample: ${drawn.length} of ${sample.populationSize} (${sizeNote})`);
  for (const d of drawn) out(`${String(d.n).padStart(3)}. ${d.id}  ${kindLabel(d.kind)}  ${d.landedAt}  ${d.title}`);
  out(`method: ${sample.method}`);
  out(
    `re-perform: for each id, printf %s '<id>' | openssl dgst -sha256 -hmac '${sample.seed}'; sort by the digest; take the first ${sample.requested}`,
  );
}
