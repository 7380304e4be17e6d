import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectAll } from "../../src/cli/commands/collect.js";
import { parseConfig } from "../../src/config/load.js";
import { demoClusterObjects, mainCommits } from "../../src/demo/cluster-model.js";
import { startFakeKube, writeKubeconfig } from "../../src/demo/fake-cluster/index.js";
import { startFakeGitHub } from "../../src/demo/fake-github/index.js";
import { afterForcePush, demoGitHubOrg } from "../../src/demo/github-model.js";
import { buildDemoOrg, DEMO_PERIOD, forcePushGitops } from "../../src/demo/org.js";
import { createLogger } from "../../src/log/logger.js";
import { parsePeriod } from "../../src/period.js";
import { type Evidence, buildEvidence } from "../../src/pipeline/evidence.js";
import { openStore } from "../../src/store/db.js";
import { tempDir } from "../helpers/tmp.js";

const root = tempDir("changeproof-demo-population-");
let evidence: Evidence;

async function collectDemo(dir: string, clock: { first: () => Date; second: () => Date }): Promise<string> {
  const org = buildDemoOrg(path.join(dir, "org"));
  const model = demoGitHubOrg(org);
  const token = `demo-${randomBytes(16).toString("hex")}`;
  const github = await startFakeGitHub({
    orgs: [model],
    tokens: { [token]: { login: "alice", scopes: ["repo", "read:org"] } },
  });
  const kubeToken = `demo-kube-${randomBytes(16).toString("hex")}`;
  const kube = await startFakeKube({
    tokens: { [kubeToken]: { name: "changeproof-collector", allow: "all" } },
    objects: demoClusterObjects(mainCommits(org)),
  });
  const database = path.join(dir, "changeproof.db");
  try {
    const kubeconfig = path.join(dir, "kubeconfig");
    writeKubeconfig(kubeconfig, { server: kube.url, token: kubeToken, context: "demo-prod" });
    const cfg = parseConfig(
      [
        `database: ${JSON.stringify(database)}`,
        `output: ${JSON.stringify(path.join(dir, "out"))}`,
        `cache: ${JSON.stringify(path.join(dir, "cache"))}`,
        "repos:",
        "  - name: acme/payments-api",
        `    source: ${JSON.stringify(org.app.dir)}`,
        "    role: app",
        "    protectedBranches: [main]",
        "  - name: acme/platform-gitops",
        `    source: ${JSON.stringify(`file://${org.gitops.dir}`)}`,
        "    role: gitops",
        "github:",
        "  org: acme",
        `  baseUrl: ${JSON.stringify(github.restBaseUrl)}`,
        "  tokenEnv: CHANGEPROOF_DEMO_TOKEN",
        "clusters:",
        "  - name: prod",
        `    kubernetes: { kubeconfig: ${JSON.stringify(kubeconfig)} }`,
        "",
      ].join("\n"),
      path.join(dir, "changeproof.yaml"),
    );
    const log = createLogger({ level: "error", write: () => {} });
    const env = { env: { CHANGEPROOF_DEMO_TOKEN: token } };
    const first = await collectAll(cfg, log, clock.first, env);
    expect(first.failures).toEqual([]);
    const mainBefore = mainCommits(org);
    forcePushGitops(org);
    afterForcePush(model, org);
    const objects = demoClusterObjects(mainBefore, mainCommits(org));
    for (const [resource, list] of Object.entries(objects)) kube.set(resource as never, list ?? []);
    const second = await collectAll(cfg, log, clock.second, env);
    expect(second.failures).toEqual([]);
  } finally {
    await kube.close();
    await github.close({ allowInvalid: true });
  }
  return database;
}

beforeAll(async () => {
  const database = await collectDemo(root, {
    first: () => new Date("2026-09-30T12:00:00Z"),
    second: () => new Date("2026-10-02T09:00:00Z"),
  });
  const db = openStore(database, { readonly: true });
  try {
    evidence = buildEvidence(db, parsePeriod(DEMO_PERIOD), {
      people: [],
      exceptions: [],
      now: new Date("2026-10-05T00:00:00Z"),
    });
  } finally {
    db.close();
  }
});

afterAll(() => {});

describe("the demo organisation's change population", () => {
  it("prints", () => {
    for (const c of evidence.population.changes) {
      const v = evidence.judgement.byChange.get(c.id) ?? [];
      console.log(c.id.padEnd(60), c.kind.padEnd(13), v.map((f) => `${f.rule}=${f.verdict}`).join(" "));
      for (const f of v) if (!["pass", "n/a"].includes(f.verdict)) console.log("     ", f.rule, f.reason);
    }
    for (const f of evidence.judgement.findings.filter((f) => f.subject.kind !== "change")) console.log(f.rule, f.verdict, f.reason);
    console.log(evidence.population.unresolved);
  });
});
