import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  argoApplication,
  argoHistoryEntry,
  type FakeArgoCd,
  type FakeKube,
  fakeSha,
  startFakeArgoCd,
  startFakeKube,
  writeKubeconfig,
} from "../../src/demo/fake-cluster/index.js";
import { RepoFactory } from "../../src/demo/repo-factory.js";
import { acquireWriterLock } from "../../src/store/writer-lock.js";
import { type CliResult, cliPath, runCli, runCliAsync } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * Issue 9's hostile user and unlucky operator, through the built CLI: credentials echoed by a
 * server, an emptied, corrupted, locked or archived store, control characters in cluster data,
 * exports from a cluster nobody configured, and a period that is a path.
 */

const root = tempDir("changeproof-cli-hardening-");
const env = { NO_PROXY: "127.0.0.1", no_proxy: "127.0.0.1" };
// A JWT-sized kubeconfig token, longer than any one-line cap: a cut must not leave a prefix shown.
const KUBE_TOKEN = `eyJhbGciOiJSUzI1NiJ9.${"k7Q".repeat(200)}.sig-${"Zq9".repeat(20)}`;
const ARGO_TOKEN = "argocd-api-token-5f1e2d3c4b5a69788796";
const SRC = { repoURL: "https://github.com/acme/gitops.git", path: "apps/payments" };
// ESC sequences that retitle and clear a terminal, BEL, and a right-to-left override.
const HOSTILE_NAME = "pay\u001b]0;owned\u0007\u001b[2Jments\u202egnp.exe";
let kube: FakeKube;
let argo: FakeArgoCd;

const app = (name: string, firstId: number) =>
  argoApplication({
    name,
    source: SRC,
    // Ids from 5: five entries were gone before the first read, a gap that names the app.
    history: [firstId, firstId + 1].map((id) =>
      argoHistoryEntry({
        id,
        revision: fakeSha(`${name}${id}`),
        deployedAt: `2026-07-0${id - firstId + 1}T10:00:00Z`,
        source: SRC,
        initiatedBy: { automated: true },
      }),
    ),
  });

interface Case {
  dir: string;
  config: string;
  db: string;
}

let cases = 0;
/** A folder with a config: the gitops repository, and the clusters given (YAML lines). */
function newCase(clusters: string[], extra: string[] = []): Case {
  const dir = path.join(root, `case-${++cases}`);
  mkdirSync(dir, { recursive: true });
  const config = path.join(dir, "changeproof.yaml");
  writeFileSync(
    config,
    [
      "database: changeproof.db",
      "output: reports",
      "repos:",
      "  - name: acme/gitops",
      `    source: ${path.join(root, "gitops")}`,
      "    role: gitops",
      ...(clusters.length > 0 ? ["clusters:", ...clusters] : []),
      ...extra,
      "",
    ].join("\n"),
  );
  return { dir, config, db: path.join(dir, "changeproof.db") };
}

const kubeCluster = (name: string, kubeconfig: string): string[] => [
  `  - name: ${name}`,
  `    kubernetes: { kubeconfig: ${kubeconfig} }`,
  "    reconcilers: [argocd]",
  "    events: false",
  "    maxRetries: 0",
  "    timeoutSeconds: 5",
];

const count = (db: string, sql: string): number => {
  const d = new Database(db, { readonly: true });
  try {
    return (d.prepare(sql).get() as { n: number }).n;
  } finally {
    d.close();
  }
};

/** Every file under a folder, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
  });
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

beforeAll(async () => {
  const repo = RepoFactory.init(path.join(root, "gitops"), {
    author: { name: "Flux", email: "flux@acme.example" },
    start: new Date("2026-07-01T00:00:00Z"),
  });
  repo.commit("initial manifests");
  repo.commit("release payments");
  kube = await startFakeKube({
    tokens: { [KUBE_TOKEN]: { allow: "all" } },
    objects: { "applications.argoproj.io/v1alpha1": [app("payments", 0)] },
  });
  argo = await startFakeArgoCd({ tokens: { [ARGO_TOKEN]: { projects: "all" } }, applications: [app("payments", 0)] });
  writeKubeconfig(path.join(root, "kubeconfig"), { server: kube.url, token: KUBE_TOKEN });
});
afterAll(async () => {
  await kube?.close();
  await argo?.close();
});

describe("credentials echoed back by a server", () => {
  it("are masked in stdout, stderr, the store, runs, the report and the cache", async () => {
    const c = newCase(
      [
        ...kubeCluster("prod", path.join(root, "kubeconfig")),
        "  - name: argo",
        `    argocdApi: { url: "${argo.url}", tokenEnv: HARDENING_ARGO_TOKEN }`,
        "    maxRetries: 0",
        "    timeoutSeconds: 5",
      ],
      [`cache: ${path.join(root, "cache-secrets")}`],
    );
    const runEnv = { ...env, HARDENING_ARGO_TOKEN: ARGO_TOKEN };
    // Some API servers and proxies quote the request, credentials included, in their error body.
    kube.faults.add({
      kind: "status",
      code: 500,
      persistent: true,
      message: `proxy failed: GET /apis/argoproj.io/v1alpha1/applications with Authorization: Bearer ${KUBE_TOKEN}`,
    });
    argo.faults.add({
      kind: "status",
      code: 500,
      persistent: true,
      message: `upstream said: bad request (authorization: Bearer ${ARGO_TOKEN})`,
    });
    const outputs: CliResult[] = [];
    try {
      const failed = await runCliAsync(["collect", "-c", c.config], { env: runEnv });
      // A proxy's HTML page quoting the token raw, no "Bearer" before it, across the excerpt's cut.
      kube.faults.clear();
      kube.faults.add({
        kind: "status",
        code: 502,
        persistent: true,
        rawBody: `<html><body><h1>502 Bad Gateway</h1><p>upstream unreachable</p><p>x-forwarded-authorization=${KUBE_TOKEN}</p></body></html>`,
      });
      outputs.push(failed, await runCliAsync(["collect", "-c", c.config, "--json-logs"], { env: runEnv }));
      expect(failed.status).toBe(3);
      expect(failed.stdout).toMatch(/^cluster prod: FAILED: .*Bearer \*\*\*/m);
      expect(failed.stdout).toMatch(/^cluster argo: FAILED: .*Bearer \*\*\*/m);
    } finally {
      kube.faults.clear();
      argo.faults.clear();
    }
    const ok = await runCliAsync(["collect", "-c", c.config], { env: runEnv });
    expect(ok.status).toBe(0);
    outputs.push(
      ok,
      runCli(["runs", "-c", c.config]),
      runCli(["runs", "-c", c.config, "--json"]),
      runCli(["report", "-c", c.config, "--period", "2026Q3"]),
    );
    const stored = new Database(c.db, { readonly: true })
      .prepare("SELECT error FROM collection_runs WHERE error IS NOT NULL")
      .pluck()
      .all() as string[];
    expect(stored.length).toBeGreaterThanOrEqual(4);
    for (const e of stored) expect(e).toMatch(/(Bearer |authorization=)\*\*\*/);

    const reportFiles = filesUnder(path.join(c.dir, "reports"));
    expect(reportFiles.some((f) => f.endsWith(".pdf"))).toBe(true);
    const pdfText = reportFiles
      .filter((f) => f.endsWith(".pdf"))
      .map((f) => execFileSync("pdftotext", ["-raw", f, "-"], { encoding: "utf8" }));
    const places: [string, string][] = [
      ...outputs.flatMap((o, i): [string, string][] => [
        [`stdout ${i}`, o.stdout],
        [`stderr ${i}`, o.stderr],
      ]),
      ...pdfText.map((t, i): [string, string] => [`pdf text ${i}`, t]),
      // Every file the runs left: the store with its WAL, the reports, the cache (when one was made).
      ...[c.dir, path.join(root, "cache-secrets")]
        .filter((d) => existsSync(d))
        .flatMap(filesUnder)
        .map((f): [string, string] => [f, readFileSync(f).toString("latin1")]),
    ];
    for (const secret of [KUBE_TOKEN, KUBE_TOKEN.slice(0, 24), ARGO_TOKEN, ARGO_TOKEN.slice(0, 20)]) {
      for (const [where, text] of places) {
        if (text.includes(secret)) throw new Error(`a token (${secret.slice(0, 12)}…) leaked into ${where}`);
      }
    }
  });
});

describe("the store is never silently replaced, written while damaged, or shared by two writers", () => {
  it("refuses an emptied store with one line, leaving it as it is", () => {
    const c = newCase([]);
    expect(runCli(["collect", "-c", c.config, "-q"]).status).toBe(0);
    writeFileSync(c.db, "");
    for (const args of [["collect"], ["runs"], ["report", "--period", "2026Q3"]]) {
      const r = runCli([...args, "-c", c.config]);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        `changeproof: database ${c.db} is empty (0 bytes), not a changeproof store: restore it from a backup or give another path; it was left as it is\n`,
      );
      expect(statSync(c.db).size).toBe(0);
    }
    writeFileSync(c.db, "not a database at all, but some notes\n");
    const text = runCli(["collect", "-c", c.config]);
    expect(text.status).toBe(1);
    expect(text.stderr).toMatch(
      /^changeproof: database .* is not a SQLite database \(or is corrupted\); it was left as it is\n$/,
    );
    expect(readFileSync(c.db, "utf8")).toBe("not a database at all, but some notes\n");
  });

  it("says a directory given as the store is a directory", () => {
    const c = newCase([]);
    mkdirSync(path.join(c.dir, "adir"));
    for (const args of [["collect"], ["runs"]]) {
      const r = runCli([...args, "-c", c.config, "--db", path.join(c.dir, "adir")]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^changeproof: database .*adir is a directory/);
      expect(r.stderr).not.toMatch(/disk I\/O/);
    }
  });

  it("refuses to collect into a corrupted store, writing nothing", () => {
    const c = newCase([]);
    expect(runCli(["collect", "-c", c.config, "-q"]).status).toBe(0);
    const d = new Database(c.db);
    d.pragma("wal_checkpoint(TRUNCATE)");
    const pageSize = d.pragma("page_size", { simple: true }) as number;
    const leaf = d.prepare("SELECT pageno FROM dbstat WHERE name = 'commits' AND pagetype = 'leaf'").pluck().get();
    d.close();
    const bytes = readFileSync(c.db);
    // 16 bytes flipped in the middle of a table page: cell pointers and record headers.
    const at = ((leaf as number) - 1) * pageSize + 8;
    for (let i = 0; i < 16; i++) bytes[at + i] = (bytes[at + i] ?? 0) ^ 0xff;
    writeFileSync(c.db, bytes);
    const r = runCli(["collect", "-c", c.config]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^changeproof: database .* is corrupted \(SQLite's quick_check: .*\); nothing was written: restore it from a backup\n$/,
    );
    expect(readFileSync(c.db).equals(bytes)).toBe(true);
  });

  it("refuses a second writer before it starts a run, naming the holder; takes over a dead holder's lock", () => {
    const c = newCase([]);
    expect(runCli(["collect", "-c", c.config, "-q"]).status).toBe(0);
    const runs = count(c.db, "SELECT count(*) AS n FROM collection_runs");
    const lock = acquireWriterLock(c.db, "collect");
    try {
      writeFileSync(path.join(c.dir, "some.ndjson"), "");
      for (const args of [["collect"], ["import", path.join(c.dir, "some.ndjson")]]) {
        const r = runCli([...args, "-c", c.config]);
        expect(r.status).toBe(4);
        expect(r.stderr).toMatch(
          new RegExp(
            `^changeproof: database .* is being written by \`changeproof collect\` \\(pid ${process.pid} on host .*, since .*\\); nothing was done: try again when it has finished\\n$`,
          ),
        );
      }
      expect(count(c.db, "SELECT count(*) AS n FROM collection_runs")).toBe(runs);
    } finally {
      lock.release();
    }
    expect(runCli(["collect", "-c", c.config, "-q"]).status).toBe(0);
    // A collect killed while holding the lock: its lock directory and holder file stay behind.
    const dead = spawnSync(process.execPath, ["-e", "process.exit(0)"]).pid;
    mkdirSync(`${c.db}.lock`);
    writeFileSync(
      `${c.db}.lock-holder`,
      JSON.stringify({
        command: "collect",
        host: hostname(),
        pid: dead,
        since: "2026-12-01T00:00:00.000Z",
        pidNamespace: readlinkSync("/proc/self/ns/pid"),
        bootId: readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim(),
        nonce: "killed",
      }),
    );
    const after = runCli(["collect", "-c", c.config, "-q"]);
    expect(after.stderr).toBe("");
    expect(after.status).toBe(0);
    expect(existsSync(`${c.db}.lock`)).toBe(false);
    expect(existsSync(`${c.db}.lock-holder`)).toBe(false);
  });
});

/**
 * Runs the CLI with `dir` read-only: as root (whom permissions don't stop) in a mount namespace
 * where the folder is a read-only bind mount, as anyone else with the folder's write bits off.
 */
function runReadOnly(dir: string, args: readonly string[]): CliResult {
  if (process.getuid?.() === 0) {
    const r = spawnSync(
      "unshare",
      [
        "-m",
        "sh",
        "-c",
        'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" "$1" && shift && exec "$@"',
        "sh",
        dir,
        process.execPath,
        cliPath,
        ...args,
      ],
      { encoding: "utf8", env: { ...process.env, ...env } },
    );
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }
  chmodSync(dir, 0o555);
  try {
    return runCli(args);
  } finally {
    chmodSync(dir, 0o755);
  }
}

describe("an archived store in a read-only folder", () => {
  it("is read by runs and report, and nothing is written beside it", () => {
    const c = newCase([]);
    expect(runCli(["collect", "-c", c.config, "-q"]).status).toBe(0);
    const archive = path.join(c.dir, "archive");
    mkdirSync(archive);
    // The WAL-mode store copied alone, its -wal and -shm left behind.
    const d = new Database(c.db);
    d.pragma("wal_checkpoint(TRUNCATE)");
    expect(d.pragma("journal_mode", { simple: true })).toBe("wal");
    d.close();
    copyFileSync(c.db, path.join(archive, "changeproof.db"));
    const db = path.join(archive, "changeproof.db");
    // The ro mount proves itself: writing there fails.
    const probe = runReadOnly(archive, ["collect", "-c", c.config, "--db", db]);
    expect(probe.status).toBe(1);
    expect(probe.stderr).toMatch(/cannot (write|lock) database/);

    const runs = runReadOnly(archive, ["runs", "-c", c.config, "--db", db]);
    expect(runs.stderr).toBe("");
    expect(runs.status).toBe(0);
    expect(runs.stdout).toMatch(/^ledger: 1 of 1 runs sealed; hash chain intact/m);
    const report = runReadOnly(archive, ["report", "-c", c.config, "--db", db, "--period", "2026Q3", "-q"]);
    expect(report.stderr).not.toMatch(/write|readonly/i);
    expect(report.stdout).toMatch(/report\.pdf$/m);
    expect(readdirSync(archive)).toEqual(["changeproof.db"]);
  });
});

describe("control characters from a cluster", () => {
  it("never reach the terminal raw, in logs, summaries, JSON logs or the report's last line", async () => {
    kube.set("applications.argoproj.io/v1alpha1", [app(HOSTILE_NAME, 5)]);
    try {
      const c = newCase(kubeCluster("prod", path.join(root, "kubeconfig")));
      const text = await runCliAsync(["collect", "-c", c.config], { env });
      expect(text.status).toBe(0);
      expect(text.stderr).toContain("⟨U+001B⟩]0;owned⟨U+0007⟩⟨U+001B⟩[2Jments⟨U+202E⟩gnp.exe");
      // A first read again (another store): the gap is found, and logged, once more.
      const fresh = newCase(kubeCluster("prod", path.join(root, "kubeconfig")));
      const json = await runCliAsync(["collect", "-c", fresh.config, "--json-logs"], { env });
      const report = runCli(["report", "-c", c.config, "--period", "2026Q3"]);
      expect(report.status).toBe(3);
      expect(report.stderr).toMatch(/^changeproof: report written, but its evidence is incomplete: .*⟨U\+202E⟩/m);
      for (const o of [text, json, report]) {
        expect(o.stdout).not.toMatch(CONTROLS);
        expect(o.stderr).not.toMatch(CONTROLS);
      }
      // JSON logs escape instead: each line parses back to the name exactly.
      const lines = json.stderr
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { msg: string });
      expect(lines.some((l) => l.msg.includes(HOSTILE_NAME))).toBe(true);
    } finally {
      kube.set("applications.argoproj.io/v1alpha1", [app("payments", 0)]);
    }
  });
});

describe("imports", () => {
  it("refuses a folder holding an export from a cluster the config does not name, importing none of it", async () => {
    // Two clusters export into one folder; the report machine's config names only "staging".
    const exports = path.join(root, "mixed-evidence");
    for (const name of ["staging", "prod"]) {
      const source = newCase(kubeCluster(name, path.join(root, "kubeconfig")));
      const r = await runCliAsync(["collect", "-c", source.config, "--export-dir", exports, "-q"], { env });
      expect(r.status).toBe(0);
    }
    expect(readdirSync(exports)).toHaveLength(2);
    const other = newCase(kubeCluster("staging", path.join(root, "kubeconfig")));
    const refused = runCli(["import", exports, "-c", other.config]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(
      /^changeproof: .*changeproof-prod-[^/]*\.ndjson: cluster "prod" is not in the config's clusters \("staging"\); nothing was imported: add it to clusters, or pass --allow-unknown-clusters\n$/,
    );
    expect(existsSync(other.db) ? count(other.db, "SELECT count(*) AS n FROM collection_runs") : 0).toBe(0);
    const allowed = runCli(["import", exports, "-c", other.config, "--allow-unknown-clusters"]);
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toMatch(/: cluster prod, run \d+: /);
    expect(allowed.stdout).toMatch(/: cluster staging, run \d+: /);
  });
});

describe("--period", () => {
  it("says a path is not a period, naming the option given", () => {
    const c = newCase([]);
    const r = runCli(["report", "-c", c.config, "--period", "../../x"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^changeproof: --period "\.\.\/\.\.\/x" is not a period/);
    expect(r.stderr).not.toMatch(/--from|--to/);
  });
});
