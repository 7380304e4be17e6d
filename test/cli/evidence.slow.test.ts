import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { RepoFactory } from "../../src/demo/repo-factory.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

/*
 * The evidence commands as a user runs them: the accepted-exceptions register and the people
 * registry feeding the report, their bad input, and `sample` re-performed with openssl.
 */

const alice = { name: "Alice", email: "alice@acme.example" };
const dir = tempDir("changeproof-evidence-cli-");
let repo: RepoFactory;
let shas: string[];

function writeConfig(name: string, extra: string): string {
  const cfg = path.join(dir, `cfg-${name}.yaml`);
  writeFileSync(
    cfg,
    `database: store.db\noutput: out-${name}\nrepos:\n  - name: acme/app\n    source: ${JSON.stringify(repo.dir)}\n    role: app\n${extra}`,
  );
  return cfg;
}

function register(name: string, body: string): string {
  const file = path.join(dir, `reg-${name}.yaml`);
  writeFileSync(file, `exceptions:\n${body}`);
  return file;
}

const entry = (change: string, extra: string[] = []): string =>
  [
    `  - change: ${change}`,
    "    reason: Emergency fix, reviewed after the fact",
    "    approvedBy: cto@acme.example",
    "    ticket: INC-1",
    ...extra,
  ].join("\n");

beforeAll(() => {
  repo = RepoFactory.init(path.join(dir, "app"), { author: alice, start: new Date("2026-07-01T00:00:00Z") });
  for (const [i, at] of ["2026-07-02", "2026-08-02", "2026-09-02"].entries()) {
    repo.commit(`change ${i}`, { files: { a: String(i) }, at: new Date(`${at}T10:00:00Z`) });
  }
  shas = repo.git(["log", "--format=%H", "main"]).split("\n").reverse();
  const cfg = writeConfig("collect", "");
  expect(runCli(["collect", "-c", cfg, "-q"]).status).toBe(0);
});

interface FindingOut {
  rule: string;
  verdict: string;
  subject: { id: string };
  accepted?: { overdue: boolean; ticket: string };
}

describe("the exceptions register in a report", () => {
  it("marks the findings it accepts, keeps their verdict, and reports overdue reviews and entries matching nothing", () => {
    const file = register(
      "register",
      [
        entry(`acme/app@${shas[0]}`, ["    rule: C11", "    reviewDue: 2026-09-01"]),
        entry(`acme/app@${shas[1]}`, ["    reviewDue: 2026-09-01", "    reviewedOn: 2026-08-30"]),
        entry("acme/app#999", ["    reviewDue: 2027-01-01"]),
        "",
      ].join("\n"),
    );
    const cfg = writeConfig("register", `exceptions: ${JSON.stringify(file)}\n`);
    const r = runCli(["report", "-c", cfg, "--period", "2026Q3", "-q"]);
    // Git alone cannot tell a push from a squash merge: the report says so, and exits 3.
    expect(r.status, r.stderr).toBe(3);
    const out = JSON.parse(readFileSync(path.join(dir, "out-register", "2026Q3", "findings.json"), "utf8")) as {
      findings: FindingOut[];
    };
    const of = (id: string, rule: string): FindingOut[] =>
      out.findings.filter((f) => f.subject.id === id && f.rule === rule);
    const first = `acme/app@${shas[0]}`;
    const second = `acme/app@${shas[1]}`;
    expect(of(first, "C11").map((f) => [f.verdict, f.accepted?.overdue])).toEqual([["exception", true]]);
    // Only C11 was accepted for the first change: its C7 finding is not.
    expect(of(first, "C7").map((f) => [f.verdict, f.accepted])).toEqual([["blocked", undefined]]);
    expect(of(first, "register").map((f) => f.verdict)).toEqual(["overdue"]);
    // Every finding of the second change is accepted, its review done: nothing overdue.
    expect(of(second, "C11").map((f) => [f.verdict, f.accepted?.overdue])).toEqual([["exception", false]]);
    expect(of(second, "register")).toEqual([]);
    expect(of("acme/app#999", "register").map((f) => f.verdict)).toEqual(["unmatched"]);
    const csv = readFileSync(path.join(dir, "out-register", "2026Q3", "findings.csv"), "utf8");
    expect(csv).toContain(`C11,exception,change,${first},`);
    expect(csv.split("\n")[0]).toBe(
      "rule,verdict,subject_kind,subject,reason,criteria,accepted,review_due,overdue,evidence",
    );
  });

  it.each([
    [
      "an unknown field",
      entry(`acme/app@${"a".repeat(40)}`, ["    reviewDue: 2026-09-01", "    approvedOn: x"]),
      /:7: unknown field "exceptions\[0\]\.approvedOn" \(did you mean "approvedBy"\?\)$/,
    ],
    [
      "a bad date",
      entry(`acme/app@${"a".repeat(40)}`, ["    reviewDue: 2026-02-30"]),
      /:6: field "exceptions\[0\]\.reviewDue" is not a calendar date$/,
    ],
    [
      "a reference to nothing",
      entry("acme/ap#12", ["    reviewDue: 2026-09-01"]),
      /:2: field "exceptions\[0\]\.change" names acme\/ap, which is not a tracked repository$/,
    ],
  ])(
    "refuses a register with %s: one line naming file, line and field, exit 2, nothing written",
    (name, body, pattern) => {
      const file = register(`bad-${name.replace(/ /g, "-")}`, `${body}\n`);
      const cfg = writeConfig(`bad-${name.replace(/ /g, "-")}`, `exceptions: ${JSON.stringify(file)}\n`);
      const r = runCli(["report", "-c", cfg, "--period", "2026Q3"]);
      expect(r.status).toBe(2);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(file);
      expect(lines[0]).toMatch(pattern);
      expect(existsSync(path.join(dir, `out-bad-${name.replace(/ /g, "-")}`))).toBe(false);
    },
  );

  it("refuses a people entry with an unknown field, naming file, line and field (exit 2)", () => {
    const cfg = writeConfig(
      "bad-people",
      "people:\n  - name: Alice\n    logins: [alice]\n    emial: [alice@acme.example]\n",
    );
    const r = runCli(["report", "-c", cfg, "--period", "2026Q3"]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`changeproof: ${cfg}:10: unknown field "people[0].emial"`);
  });
});

describe("changeproof sample", () => {
  it("draws the same sample from the same seed and population, which openssl re-performs", () => {
    const cfg = writeConfig("sample", "");
    const args = ["sample", "-c", cfg, "--period", "2026Q3", "--seed", "audit-2026q3", "--size", "2"];
    const a = runCli(args);
    const b = runCli(args);
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const json = runCli([...args, "--json"]);
    const s = JSON.parse(json.stdout) as {
      seed: string;
      populationSize: number;
      populationSha256: string;
      drawn: { id: string; rank: string }[];
    };
    const ids = shas.map((sha) => `acme/app@${sha}`);
    expect(s.populationSize).toBe(3);
    // The population's SHA-256 over its sorted ids, one per line, as sha256sum computes it.
    const sorted = `${[...ids].sort().join("\n")}\n`;
    expect(s.populationSha256).toBe(execFileSync("sha256sum", [], { input: sorted, encoding: "utf8" }).split(" ")[0]);
    const ranks = ids
      .map((id) => ({
        id,
        rank: execFileSync("openssl", ["dgst", "-sha256", "-hmac", "audit-2026q3"], { input: id, encoding: "utf8" })
          .trim()
          .split("= ")[1],
      }))
      .sort((x, y) => (x.rank ?? "").localeCompare(y.rank ?? ""));
    expect(s.drawn.map((d) => d.id)).toEqual(ranks.slice(0, 2).map((r) => r.id));
    expect(a.stdout).toContain(`seed: audit-2026q3`);
    expect(a.stdout).toContain(`population: 3 changes, SHA-256 ${s.populationSha256}`);
  });

  it("prints a new seed when none is given, and refuses a size that is not a whole number above 0", () => {
    const cfg = writeConfig("sample2", "");
    const r = runCli(["sample", "-c", cfg, "--period", "2026Q3"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^seed: [0-9a-f]{32}$/m);
    // A population of 3: all of it (common practice for 1-5).
    expect(r.stdout).toContain("sample: 3 of 3 (default size for this population)");
    const bad = runCli(["sample", "-c", cfg, "--period", "2026Q3", "--size", "0"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr.split("\n")[0]).toBe('changeproof: --size "0" must be a whole number above 0');
  });
});
