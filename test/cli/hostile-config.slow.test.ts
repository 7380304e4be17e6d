import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_CONFIG_BYTES, MAX_CONFIG_TOKENS } from "../../src/config/limits.js";
import { cliPath, projectRoot } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * Oversized and hostile configs, end to end through the built CLI: `config check --offline`
 * refuses each with exit 2 and one line naming the file, within a memory budget.
 *
 * The peak is the kernel's maximum resident set size of the CLI process, as GNU time reports it.
 * It cannot be read from inside the CLI (process.resourceUsage): a child forked from this test
 * worker starts with the worker's pages counted, and would report the worker's size; /usr/bin/time
 * forks the CLI from its own small process, so its figure is the CLI's alone.
 */

const TIME = "/usr/bin/time";
const BUDGET_KB = 200 * 1024;

const root = tempDir("changeproof-hostile-config-");

/** Each is refused in well under a second; the old behaviour took minutes, or forever on a pipe. */
const TIMEOUT_MS = 15_000;
/** Output kept from a run: enough to see what went wrong, bounded if it prints a line per token. */
const KEPT = 100_000;

interface Measured {
  status: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** Peak resident set size in KiB; undefined when the run was killed before time could report. */
  peakKb: number | undefined;
}

let seq = 0;
function configFile(label: string, text: string): string {
  const dir = path.join(root, `${String(++seq).padStart(2, "0")}-${label}`);
  mkdirSync(dir);
  const file = path.join(dir, "changeproof.yaml");
  writeFileSync(file, text);
  return file;
}

/** `changeproof config check --offline -c <file>`, run under GNU time. */
function checkConfig(file: string): Promise<Measured> {
  const report = path.join(root, `peak-${++seq}`);
  const args = ["-f", "%M", "-o", report, process.execPath, cliPath, "config", "check", "--offline", "-c", file];
  return new Promise((resolve, reject) => {
    // A process group of its own: a timeout then ends the CLI as well as time, instead of leaving
    // it behind (blocked on a pipe, or reading a device that never ends).
    const child = spawn(TIME, args, { cwd: projectRoot, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      if (stdout.length < KEPT) stdout += c;
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      if (stderr.length < KEPT) stderr += c;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Gone meanwhile: nothing left to end.
      }
    }, TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      // time writes "Command exited with non-zero status N" first, the figure on the last line.
      const peak = /(\d+)\s*$/.exec(readFileSync(report, "utf8"))?.[1];
      resolve({ status, timedOut, stdout, stderr, peakKb: peak === undefined ? undefined : Number(peak) });
    });
  });
}

/** Exit 2, nothing on stdout, one `changeproof: ` line that names the file; within the budget. */
function expectRefused(r: Measured, file: string, ...needles: string[]): void {
  expect(r.timedOut, `no answer within ${TIMEOUT_MS} ms`).toBe(false);
  expect(r.status, r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]?.startsWith(`changeproof: ${file}:`), r.stderr).toBe(true);
  for (const n of needles) expect(lines[0]).toContain(n);
  expect(r.peakKb).toBeLessThan(BUDGET_KB);
}

beforeAll(() => {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`npm run build\` first`);
  if (!existsSync(TIME)) throw new Error(`${TIME} is missing: install GNU time (apt-get install time)`);
});

describe("config check on a hostile config", () => {
  it("refuses a repos list of 8 MiB without reading it, within the memory budget", async () => {
    const entry = "  - name: acme/payments-api\n    source: https://github.com/acme/payments-api.git\n    role: app\n";
    const file = configFile("huge", `repos:\n${entry.repeat(Math.ceil((8 * MAX_CONFIG_BYTES) / entry.length))}`);
    const r = await checkConfig(file);
    expectRefused(r, file, "config is too large", `the limit is ${MAX_CONFIG_BYTES} bytes`);
  });

  it("refuses a billion-laughs alias bomb as bad YAML at its line, within the memory budget", async () => {
    const ten = (item: string): string => Array(10).fill(item).join(", ");
    const lines = [`a0: &a0 [${ten("lol")}]`];
    for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${ten(`*a${i - 1}`)}]`);
    const file = configFile("bomb", `${lines.join("\n")}\nrepos: *a9\n`);
    const r = await checkConfig(file);
    expectRefused(r, file, `${file}:2: invalid YAML: Excessive alias count`);
  });

  it("refuses 1 MiB of YAML punctuation, each a parse error, within the memory budget", async () => {
    const file = configFile("punctuation", `repos: ${"]".repeat(MAX_CONFIG_BYTES - 10)}\n`);
    const r = await checkConfig(file);
    expectRefused(r, file, `more than ${MAX_CONFIG_TOKENS} YAML tokens`);
  });

  it("stays within the memory budget on the costliest config the limits let through", async () => {
    // One YAML error per token, just under the token limit: the costliest shape of those measured
    // (stray closers, commas, deep nesting, empty maps, unknown keys).
    const file = configFile("edge", `repos: ${"]".repeat(MAX_CONFIG_TOKENS - 10)}\n`);
    const r = await checkConfig(file);
    expect(r.timedOut, `no answer within ${TIMEOUT_MS} ms`).toBe(false);
    expect(r.status, r.stderr).toBe(2);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(21);
    expect(lines.at(-1)).toMatch(/ and \d+ more problems$/);
    expect(r.peakKb).toBeLessThan(BUDGET_KB);
  });

  it("refuses a named pipe at once instead of waiting for a writer", async () => {
    const fifo = path.join(root, "config.fifo");
    const made = spawnSync("mkfifo", [fifo], { encoding: "utf8" });
    expect(made.status, made.stderr).toBe(0);
    expectRefused(await checkConfig(fifo), fifo, "cannot read config: it is a named pipe, not a file");
  });

  it("refuses a device that never ends, without reading it", async () => {
    expectRefused(await checkConfig("/dev/zero"), "/dev/zero", "cannot read config: it is a device, not a file");
  });
});
