import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { defaultSampleSize, drawSample, newSeed, populationSha256 } from "../../src/evidence/sample.js";

const population = (n: number): string[] => Array.from({ length: n }, (_, i) => `acme/app#${i + 1}`);

describe("defaultSampleSize", () => {
  it("follows common audit practice for a per-event control", () => {
    const sizes = [0, 1, 5, 6, 50, 51, 250, 251, 100_000].map((n) => [n, defaultSampleSize(n)]);
    expect(sizes).toEqual([
      [0, 0],
      [1, 1],
      [5, 5],
      [6, 10],
      [50, 10],
      [51, 20],
      [250, 20],
      [251, 25],
      [100_000, 25],
    ]);
  });
});

describe("drawSample", () => {
  it("draws the same sample for the same seed and population, in whatever order the population comes", () => {
    const ids = population(300);
    const a = drawSample(ids, { seed: "audit-2026q3" });
    const b = drawSample([...ids].reverse(), { seed: "audit-2026q3" });
    expect(a.drawn).toEqual(b.drawn);
    expect(a.drawn).toHaveLength(25);
    expect(new Set(a.drawn.map((d) => d.id)).size).toBe(25);
    expect(a.populationSha256).toBe(b.populationSha256);
    expect(drawSample(ids, { seed: "another seed" }).drawn).not.toEqual(a.drawn);
  });

  it("draws all of a small population, and as many as asked, never more than there are", () => {
    expect(drawSample(population(4), { seed: "s" }).drawn).toHaveLength(4);
    expect(drawSample(population(40), { seed: "s", size: 3 }).drawn).toHaveLength(3);
    expect(drawSample(population(2), { seed: "s", size: 10 }).drawn).toHaveLength(2);
    expect(drawSample([], { seed: "s" }).drawn).toEqual([]);
  });

  it("hashes the population as its sorted ids, one per line", () => {
    const ids = ["b", "a"];
    const expected = execFileSync("sha256sum", { input: "a\nb\n", encoding: "utf8" }).split(" ")[0];
    expect(populationSha256(ids)).toBe(expected);
    expect(drawSample(ids, { seed: "s" }).populationSha256).toBe(expected);
  });

  it("can be re-performed with openssl: the rank is HMAC-SHA256(seed, id)", () => {
    const s = drawSample(population(12), { seed: "re-perform-me", size: 3 });
    for (const d of s.drawn) {
      const out = execFileSync("openssl", ["dgst", "-sha256", "-hmac", "re-perform-me"], {
        input: d.id,
        encoding: "utf8",
      });
      expect(out.trim().split(" ").at(-1)).toBe(d.rank);
    }
    const ranks = s.drawn.map((d) => d.rank);
    expect([...ranks].sort()).toEqual(ranks);
  });

  it("refuses repeated ids, an empty seed and a bad size", () => {
    expect(() => drawSample(["a", "a"], { seed: "s" })).toThrow(/not unique/);
    expect(() => drawSample(["a"], { seed: "" })).toThrow(/seed is empty/);
    expect(() => drawSample(["a"], { seed: "s", size: -1 })).toThrow(/whole number/);
    expect(newSeed()).toMatch(/^[0-9a-f]{32}$/);
  });
});
