import { type ChildProcess, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  argoApplication,
  argoHistoryEntry,
  type FakeKube,
  fakeDigest,
  fakeSha,
  fluxGitRevision,
  fluxSnapshot,
  kustomization,
  startFakeKube,
  writeKubeconfig,
} from "../../src/demo/fake-cluster/index.js";
import { RepoFactory } from "../../src/demo/repo-factory.js";
import { cliPath, runCliAsync } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * The reconciler collector through the built CLI: `collect` with a cluster and a Flux v1 gitops
 * repository, `--export-dir` then `import` on another store, refused credentials, and
 * `receive flux` taking signed notification-controller webhooks.
 */

const root = tempDir("changeproof-cli-reconciler-");
const TOKEN = "cli-kube-token-0a1b2c3d4e5f";
const env = { NO_PROXY: "127.0.0.1", no_proxy: "127.0.0.1" };
const SRC = { repoURL: "https://github.com/acme/gitops.git", path: "apps/payments" };
let kube: FakeKube;
let gitopsHead = "";

function writeConfig(name: string, kubeconfig: string): string {
  const file = path.join(root, `${name}.yaml`);
  writeFileSync(
    file,
    [
      `database: ${name}.db`,
      "repos:",
      "  - name: acme/gitops",
      "    source: gitops",
      "    role: gitops",
      "    fluxV1: { cluster: legacy }",
      "clusters:",
      "  - name: prod",
      `    kubernetes: { kubeconfig: ${kubeconfig} }`,
      "    maxRetries: 0",
      "    timeoutSeconds: 5",
      "",
    ].join("\n"),
  );
  return file;
}

const rows = (db: string, sql: string) => {
  const d = new Database(path.join(root, db), { readonly: true });
  try {
    return d.prepare(sql).all();
  } finally {
    d.close();
  }
};

beforeAll(async () => {
  const repo = RepoFactory.init(path.join(root, "gitops"), {
    author: { name: "Flux", email: "flux@acme.example" },
    start: new Date("2026-07-01T00:00:00Z"),
  });
  repo.commit("initial manifests");
  gitopsHead = repo.commit("release helloworld:master-a000002");
  repo.git(["tag", "-a", "-m", "Sync pointer", "flux-sync", gitopsHead], {
    GIT_COMMITTER_NAME: "Flux",
    GIT_COMMITTER_EMAIL: "flux@acme.example",
    GIT_COMMITTER_DATE: "2026-07-02T10:00:00Z",
  });
  const note = {
    jobID: "4c5a1d0e-9b4f-4f6e-8a77-2f3a6c2b8d10",
    spec: { type: "image", cause: { Message: "", User: "<automated>" }, spec: {} },
    result: { "default:deployment/helloworld": { Status: "success" } },
  };
  repo.git(["notes", "--ref=flux", "add", "-m", JSON.stringify(note), gitopsHead], {
    GIT_AUTHOR_NAME: "Flux",
    GIT_AUTHOR_EMAIL: "flux@acme.example",
    GIT_COMMITTER_NAME: "Flux",
    GIT_COMMITTER_EMAIL: "flux@acme.example",
  });

  kube = await startFakeKube({
    tokens: { [TOKEN]: { allow: "all" } },
    objects: {
      "applications.argoproj.io/v1alpha1": [
        argoApplication({
          name: "payments",
          source: SRC,
          history: [0, 1].map((id) =>
            argoHistoryEntry({
              id,
              revision: fakeSha(`p${id}`),
              deployedAt: `2026-07-0${id + 1}T10:00:00Z`,
              source: SRC,
              initiatedBy: { automated: true },
            }),
          ),
        }),
      ],
      "kustomizations.kustomize.toolkit.fluxcd.io/v1": [
        kustomization({
          name: "apps",
          path: "./apps",
          lastAppliedRevision: fluxGitRevision("main", fakeSha("k")),
          history: [
            fluxSnapshot({
              digest: fakeDigest("k"),
              firstReconciled: "2026-07-03T10:00:00Z",
              lastReconciled: "2026-07-03T11:00:00Z",
              lastReconciledStatus: "ReconciliationSucceeded",
              metadata: { revision: fluxGitRevision("main", fakeSha("k")) },
            }),
          ],
        }),
      ],
    },
  });
  writeKubeconfig(path.join(root, "kubeconfig"), { server: kube.url, token: TOKEN });
  writeKubeconfig(path.join(root, "revoked-kubeconfig"), { server: kube.url, token: "revoked-kube-token-77777777" });
});
afterAll(async () => {
  await kube?.close();
});

describe("changeproof collect with clusters", () => {
  it("stores cluster and Flux v1 records, exports them, adds nothing the second time", async () => {
    const config = writeConfig("main", path.join(root, "kubeconfig"));
    const exports = path.join(root, "evidence");
    const first = await runCliAsync(["collect", "-c", config, "--export-dir", exports, "-q"], { env });
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^acme\/gitops \(Flux v1, cluster legacy\): run \d+ ok, 2 new sync records$/m);
    expect(first.stdout).toMatch(
      /^cluster prod: run \d+ ok, 3 new deployment records \(3 read, 0 updated\), 0 new events/m,
    );
    const files = readdirSync(exports);
    expect(files).toEqual([expect.stringMatching(/^changeproof-prod-\d{8}T\d{6}Z-run\d+\.ndjson$/)]);
    expect(
      rows(
        "main.db",
        "SELECT reconciler, basis, commit_oid FROM deployments WHERE reconciler = 'flux-v1' ORDER BY basis",
      ),
    ).toEqual([
      { reconciler: "flux-v1", basis: "note", commit_oid: gitopsHead },
      { reconciler: "flux-v1", basis: "tag", commit_oid: gitopsHead },
    ]);

    const second = await runCliAsync(["collect", "-c", config, "-q"], { env });
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/^cluster prod: run \d+ ok, 0 new deployment records \(3 read, 0 updated\)/m);
    expect(second.stdout).toMatch(/^acme\/gitops \(Flux v1, cluster legacy\): run \d+ ok, 0 new sync records$/m);
    expect(rows("main.db", "SELECT count(*) AS n FROM deployments")).toEqual([{ n: 5 }]);

    // The report machine: no cluster credentials, only the exported files.
    const elsewhere = ["-c", config, "--db", path.join(root, "elsewhere.db")];
    const imported = await runCliAsync(["import", exports, ...elsewhere], { env });
    expect(imported.status).toBe(0);
    expect(imported.stdout).toMatch(/: cluster prod, run \d+: 3 new deployment records \(3 read\), 0 new events$/m);
    const again = await runCliAsync(["import", path.join(exports, files[0] ?? ""), ...elsewhere], { env });
    expect(again.stdout).toMatch(/: imported before \(run \d+\); nothing to do$/m);
    expect(rows("elsewhere.db", "SELECT count(*) AS n FROM deployments")).toEqual([{ n: 3 }]);
  });

  it("refused cluster credentials: one line, exit 3, the token nowhere, git and Flux v1 still collected", async () => {
    const config = writeConfig("revoked", path.join(root, "revoked-kubeconfig"));
    const exports = path.join(root, "revoked-evidence");
    const r = await runCliAsync(["collect", "-c", config, "-q", "--export-dir", exports], { env });
    expect(r.status).toBe(3);
    const lines = r.stderr.trim().split("\n");
    // One log line as it happened, one closing line: the failure is not repeated.
    expect(lines.filter((l) => l.includes("refused the credentials"))).toHaveLength(2);
    expect(lines.filter((l) => l.startsWith("changeproof: "))).toEqual([
      expect.stringMatching(
        /^changeproof: collection incomplete: 1 source failed \(cluster prod: the API server at http:\/\/127\.0\.0\.1:\d+ refused the credentials from kubeconfig .*revoked-kubeconfig, context fake \(401: Unauthorized\)\); everything else was stored$/,
      ),
    ]);
    expect(`${r.stdout}${r.stderr}`).not.toContain("revoked-kube-token");
    expect(r.stdout).toMatch(/^acme\/gitops: run \d+ ok/m);
    expect(rows("revoked.db", "SELECT source, status FROM collection_runs WHERE source = 'reconciler'")).toEqual([
      { source: "reconciler", status: "failed" },
    ]);
    // The failed run is exported too, so the report machine learns of it.
    const imported = await runCliAsync(
      ["import", exports, "-c", config, "--db", path.join(root, "revoked-import.db")],
      {
        env,
      },
    );
    expect(imported.status).toBe(3);
    expect(imported.stdout).toMatch(/: cluster prod, run \d+ \(the exporting run FAILED\): 0 new deployment records/);
    expect(rows("revoked-import.db", "SELECT status, error FROM collection_runs")).toEqual([
      { status: "failed", error: expect.stringMatching(/^the exporting run \d+ failed: cluster prod: the API server/) },
    ]);
  });

  it("config check reaches the cluster and says what its credentials may read", async () => {
    const ok = await runCliAsync(["config", "check", "-c", writeConfig("check", path.join(root, "kubeconfig"))], {
      env,
    });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(
      /^cluster prod: http:\/\/127\.0\.0\.1:\d+ \(kubeconfig .*kubeconfig, context fake\): applications\.argoproj\.io readable, kustomizations\.kustomize\.toolkit\.fluxcd\.io readable, helmreleases\.helm\.toolkit\.fluxcd\.io readable, events readable$/m,
    );
    const bad = await runCliAsync(
      ["config", "check", "-c", writeConfig("check-bad", path.join(root, "revoked-kubeconfig"))],
      {
        env,
      },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/check-bad\.yaml: cluster prod: the API server at .* refused the credentials/);
  });

  it("a typo in a cluster field is a config error naming file, line and field", async () => {
    const file = path.join(root, "typo.yaml");
    writeFileSync(file, "repos: []\nclusters:\n  - name: prod\n    kubernetes: { kubeconfg: x }\n");
    const r = await runCliAsync(["collect", "-c", file], { env });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/typo\.yaml:4.*kubeconfg.*did you mean "kubeconfig"/);
  });
});

describe("changeproof receive flux", () => {
  const KEY = "webhook-hmac-key-0123456789";
  let child: ChildProcess;
  let url = "";
  let stdout = "";

  beforeAll(async () => {
    const config = writeConfig("webhook", path.join(root, "kubeconfig"));
    child = spawn(
      process.execPath,
      [
        cliPath,
        "receive",
        "flux",
        "-c",
        config,
        "--cluster",
        "prod",
        "--listen",
        "127.0.0.1:0",
        "--export-dir",
        path.join(root, "webhook-evidence"),
        "-q",
      ],
      { env: { ...process.env, ...env, FLUX_WEBHOOK_HMAC_KEY: KEY } },
    );
    child.stdout?.setEncoding("utf8");
    url = await new Promise<string>((resolve, reject) => {
      child.stdout?.on("data", (c: string) => {
        stdout += c;
        const m = /listening on (http:\/\/\S+)/.exec(stdout);
        if (m?.[1]) resolve(m[1]);
      });
      child.on("exit", (code) => reject(new Error(`receiver exited ${code}: ${stdout}`)));
    });
  });
  afterAll(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });

  const event = JSON.stringify({
    involvedObject: {
      kind: "Kustomization",
      namespace: "flux-system",
      name: "apps",
      uid: "7d0c",
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    },
    severity: "info",
    timestamp: "2026-07-04T16:47:10Z",
    message: "Reconciliation finished in 154ms, next run in 10m0s",
    reason: "ReconciliationSucceeded",
    metadata: { revision: fluxGitRevision("main", fakeSha("w")), commit_status: "update" },
    reportingController: "kustomize-controller",
    reportingInstance: "kustomize-controller-7bcf986f97-mn7gg",
  });
  const post = (body: string, signature: string) =>
    fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-signature": signature }, body });
  const sign = (body: string, key = KEY) => `sha256=${createHmac("sha256", key).update(body).digest("hex")}`;

  it("refuses a bad signature and stores a good delivery once, however often it comes", async () => {
    expect((await post(event, sign(event, "not-the-key"))).status).toBe(401);
    expect((await post(event, sign(event))).status).toBe(202);
    const again = await post(event, sign(event));
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ stored: false, duplicate: true });
    // Beyond what import takes: refused, so the export below still imports (and it is not counted).
    const tooLong = JSON.stringify({ ...JSON.parse(event), message: "m".repeat(100_001) });
    const refused = await post(tooLong, sign(tooLong));
    expect(refused.status).toBe(422);
    expect(await refused.json()).toEqual({
      error: "event.message Too big: expected string to have <=100000 characters; changeproof import would refuse it",
    });

    child.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(0);
    expect(rows("webhook.db", "SELECT reason, revision, via FROM reconciler_events")).toEqual([
      { reason: "ReconciliationSucceeded", revision: fluxGitRevision("main", fakeSha("w")), via: "webhook" },
    ]);
    expect(rows("webhook.db", "SELECT reconciler, basis, commit_oid FROM deployments")).toEqual([
      { reconciler: "flux-kustomization", basis: "webhook", commit_oid: fakeSha("w") },
    ]);
    const [run] = rows("webhook.db", "SELECT source, status, counts FROM collection_runs") as {
      source: string;
      status: string;
      counts: string;
    }[];
    expect(run).toMatchObject({ source: "flux-webhook", status: "succeeded" });
    expect(JSON.parse(run?.counts ?? "{}")).toEqual({ delivered: 2, stored: 1, duplicates: 1, deploymentsAdded: 1 });
    expect(readFileSync(path.join(root, "webhook.db")).includes(Buffer.from(KEY))).toBe(false);
    // The sealed run was exported: the report machine imports what the receiver took in.
    expect(stdout).toMatch(/^exported .*webhook-evidence\/changeproof-prod-.*\.ndjson$/m);
    const imported = await runCliAsync(
      [
        "import",
        path.join(root, "webhook-evidence"),
        "-c",
        path.join(root, "webhook.yaml"),
        "--db",
        path.join(root, "webhook-import.db"),
      ],
      { env },
    );
    expect(imported.status).toBe(0);
    expect(rows("webhook-import.db", "SELECT reason, via FROM reconciler_events")).toEqual([
      { reason: "ReconciliationSucceeded", via: "webhook" },
    ]);
  });
});
