import { createHash, createHmac, randomBytes } from "node:crypto";
import { compareText as cmp } from "../util/compare.js";

/**
 * A reproducible random sample of a population (SPEC §4), for an auditor's test of a per-event
 * control. Each member is ranked by HMAC-SHA256(key = seed, message = its id) and the lowest
 * ranks are drawn: the same seed and population give the same sample whatever order the
 * population came in, and an auditor can re-perform the draw with any HMAC tool
 * (`printf %s '<id>' | openssl dgst -sha256 -hmac '<seed>'`, sort, take the first N). The
 * population's SHA-256 (its sorted ids, one per line) is printed beside the seed, so a sample
 * can be shown to come from exactly this population.
 */

export interface Sample {
  seed: string;
  /** The population's size and SHA-256 of its sorted ids, each followed by "\n". */
  populationSize: number;
  populationSha256: string;
  /** How many were asked for (or the default for the population's size), and how many drawn. */
  requested: number;
  /** The drawn ids, lowest rank first, each with its rank (the HMAC, hex). */
  drawn: { id: string; rank: string }[];
  method: string;
}

/**
 * The sample size common audit practice uses for a control that operates per event: all of a
 * population of 1-5, 10 of 6-50, 20 of 51-250, 25 above.
 */
export function defaultSampleSize(populationSize: number): number {
  if (populationSize <= 5) return populationSize;
  if (populationSize <= 50) return 10;
  if (populationSize <= 250) return 20;
  return 25;
}

export function populationSha256(ids: readonly string[]): string {
  const h = createHash("sha256");
  for (const id of [...ids].sort(cmp)) h.update(`${id}\n`);
  return h.digest("hex");
}

/** A new seed: 128 random bits, hex. */
export function newSeed(): string {
  return randomBytes(16).toString("hex");
}

/**
 * Draws `size` (default: defaultSampleSize) of `ids`. Ids must be unique: a repeated id would
 * be one member counted twice, so it is refused.
 */
export function drawSample(ids: readonly string[], options: { seed: string; size?: number }): Sample {
  const unique = new Set(ids);
  if (unique.size !== ids.length) throw new Error("drawSample: the population's ids are not unique");
  if (options.seed === "") throw new Error("drawSample: the seed is empty");
  const requested = options.size ?? defaultSampleSize(ids.length);
  if (!Number.isSafeInteger(requested) || requested < 0) {
    throw new Error(`drawSample: size must be a whole number of 0 or more, got ${String(options.size)}`);
  }
  const ranked = ids.map((id) => ({ id, rank: createHmac("sha256", options.seed).update(id).digest("hex") }));
  // Ties are impossible in practice (distinct ids, SHA-256); the id breaks them anyway.
  ranked.sort((a, b) => cmp(a.rank, b.rank) || cmp(a.id, b.id));
  return {
    seed: options.seed,
    populationSize: ids.length,
    populationSha256: populationSha256(ids),
    requested,
    drawn: ranked.slice(0, requested),
    method:
      "Each member of the population is ranked by HMAC-SHA256 with the seed as key and the member's id as message; the lowest ranks are drawn. The population's SHA-256 is over its ids sorted, one per line.",
  };
}
