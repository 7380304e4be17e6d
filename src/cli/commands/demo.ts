import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseConfig } from "../../config/load.js";
import { demoClusterObjects, experimentCommit, type KubeObjects, mainCommits } from "../../demo/cluster-model.js";
import { type FakeKube, startFakeKube, writeKubeconfig } from "../../demo/fake-cluster/index.js";
import { startFakeGitHub } from "../../demo/fake-github/index.js";
import { afterForcePush, demoGitHubOrg, weakenGitopsProtection } from "../../demo/github-model.js";
import { buildDemoOrg, DEMO_COLLECTIONS, DEMO_PERIOD, forcePushGitops } from "../../demo/org.js";
import type { Logger } from "../../log/logger.js";
import { parsePeriod } from "../../period.js";
import { collectAll, printSummary, throwIfIncomplete } from "./collect.js";
import { type ReportResult, reportPeriod, ruleSummaryLines } from "./report.js";

export interface DemoOptions {
  /** Where the demo organisation's repositories are built; default: <output>/demo/org. */
  workdir?: string | undefined;
  /** Reports go under `<output>/demo/`; the demo's store sits there too. */
  output: string;
  log: Logger;
  out: (line: string) => void;
  now: () => Date;
  /** The clocks of the three collections; default: the story's (DEMO_COLLECTIONS), running on. */
  collectedAt?: { early: () => Date; first: () => Date; second: () => Date };
}

/**
 * The whole pipeline on the bundled demo organisation: build its repositories, serve its GitHub
 * side from the fake GitHub on loopback, collect (one repo read in place, one mirrored through a
 * clone URL; pull requests, reviews, access and protection over GraphQL), rewrite the GitOps
 * branch and weaken its protection, collect again, and report on the demo quarter.
 */
export async function runDemo(o: DemoOptions): Promise<ReportResult> {
  const outDir = path.resolve(o.output, "demo");
  // By default the demo's repositories live beside its report, rebuilt each run, so a user can
  // point commands at them afterwards and nothing is left behind in a temp folder.
  const root = path.resolve(o.workdir ?? path.join(outDir, "org"));
  rmSync(root, { recursive: true, force: true });
  o.log.info("building the demo organisation", { dir: root });
  const org = buildDemoOrg(root);
  const model = demoGitHubOrg(org);
  const token = `demo-${randomBytes(16).toString("hex")}`;
  const github = await startFakeGitHub({
    orgs: [model],
    tokens: { [token]: { login: "alice", scopes: ["repo", "read:org"] } },
  });
  // The production cluster's API server, serving Argo CD and Flux objects to a read-only token.
  const kubeToken = `demo-kube-${randomBytes(16).toString("hex")}`;
  const kube = await startFakeKube({
    tokens: { [kubeToken]: { name: "changeproof-collector", allow: "all" } },
    objects: demoClusterObjects(mainCommits(org), undefined, experimentCommit(org)),
  });
  try {
    const kubeconfig = path.join(root, "kubeconfig");
    writeKubeconfig(kubeconfig, { server: kube.url, token: kubeToken, context: "demo-prod" });
    return await collectAndReport(o, org, model, root, outDir, github.restBaseUrl, token, { kube, kubeconfig });
  } finally {
    await kube.close();
    await github.close({ allowInvalid: true });
  }
}

/** A clock that starts at `iso` and runs on in real time, so runs stay in order. */
function storyClock(iso: string): () => Date {
  const start = Date.parse(iso);
  const t0 = Date.now();
  return () => new Date(start + (Date.now() - t0));
}

function serve(kube: FakeKube, objects: KubeObjects): void {
  for (const [resource, list] of Object.entries(objects) as [keyof KubeObjects, KubeObjects[keyof KubeObjects]][]) {
    kube.set(resource, list ?? []);
  }
}

async function collectAndReport(
  o: DemoOptions,
  org: ReturnType<typeof buildDemoOrg>,
  model: ReturnType<typeof demoGitHubOrg>,
  root: string,
  outDir: string,
  githubUrl: string,
  token: string,
  cluster: { kube: FakeKube; kubeconfig: string },
): Promise<ReportResult> {
  const env = { CHANGEPROOF_DEMO_TOKEN: token };
  // The demo's accepted-exceptions register: bob's self-approved #4, reviewed after the fact in
  // time; the unreviewed GitOps change #12, whose review is overdue (both stay findings, marked).
  const register = path.join(root, "exceptions.yaml");
  writeFileSync(
    register,
    [
      "exceptions:",
      "  - change: acme/payments-api#4",
      "    rule: C2",
      "    reason: Hotfix for INC-4711 approved by its author while the second reviewer was away",
      "    approvedBy: alice@acme.example",
      "    ticket: INC-4711",
      "    reviewDue: 2026-09-20",
      "    reviewedOn: 2026-09-12",
      "  - change: acme/platform-gitops#12",
      "    rule: C1",
      "    reason: Emergency scale-up merged before review during INC-4790",
      "    approvedBy: carol@acme.example",
      "    ticket: INC-4790",
      "    reviewDue: 2026-10-15",
      "",
    ].join("\n"),
  );
  const gitConfig = [
    "# changeproof demo organisation (built by `changeproof demo`)",
    `exceptions: ${JSON.stringify(register)}`,
    `database: ${JSON.stringify(path.join(outDir, "changeproof.db"))}`,
    `output: ${JSON.stringify(outDir)}`,
    `cache: ${JSON.stringify(path.join(root, "cache"))}`,
    "repos:",
    "  - name: acme/payments-api",
    `    source: ${JSON.stringify(org.app.dir)}`,
    "    role: app",
    "    protectedBranches: [main]",
    "    images: [ghcr.io/acme/payments-api]",
    "  - name: acme/platform-gitops",
    `    source: ${JSON.stringify(`file://${org.gitops.dir}`)}`,
    "    role: gitops",
  ];
  const githubSection = [
    "github:",
    "  org: acme",
    `  baseUrl: ${JSON.stringify(githubUrl)}`,
    "  tokenEnv: CHANGEPROOF_DEMO_TOKEN",
  ];
  const clusterSection = [
    "clusters:",
    "  - name: prod",
    `    kubernetes: { kubeconfig: ${JSON.stringify(cluster.kubeconfig)} }`,
  ];
  const configText = [...gitConfig, ...githubSection, ...clusterSection, ""].join("\n");
  // The file left for trying the commands has the same repositories; its github section is a
  // comment, because the demo's GitHub (a fake on loopback) runs only while `changeproof demo` does.
  const configFile = path.join(root, "changeproof.yaml");
  writeFileSync(
    configFile,
    [
      ...gitConfig,
      "# The demo collected GitHub and its cluster from fakes served on loopback while `changeproof demo` ran:",
      ...githubSection.map((l) => `# ${l}`),
      ...clusterSection.map((l) => `# ${l}`),
      "",
    ].join("\n"),
  );
  const cfg = parseConfig(configText, configFile);
  rmSync(cfg.database, { force: true });
  rmSync(`${cfg.database}-wal`, { force: true });
  rmSync(`${cfg.database}-shm`, { force: true });

  // The demo's two collections happen on its story's clock (the quarter's last afternoon, and
  // just after it), so each change is judged by the protection snapshot taken before it merged,
  // as a real quarter collected on a schedule would be. Each clock runs on from its start.
  const clocks = o.collectedAt ?? {
    early: storyClock(DEMO_COLLECTIONS.early),
    first: storyClock(DEMO_COLLECTIONS.first),
    second: storyClock(DEMO_COLLECTIONS.second),
  };
  o.log.info("mid-quarter collection", { at: clocks.early().toISOString() });
  const early = await collectAll(cfg, o.log, clocks.early, { env });
  printSummary(early, o.out);
  throwIfIncomplete(early);
  weakenGitopsProtection(model);

  o.log.info("first collection", { at: clocks.first().toISOString() });
  const first = await collectAll(cfg, o.log, clocks.first, { env });
  printSummary(first, o.out);
  throwIfIncomplete(first);

  const mainBefore = mainCommits(org);
  const moved = forcePushGitops(org);
  afterForcePush(model, org);
  serve(cluster.kube, demoClusterObjects(mainBefore, mainCommits(org), experimentCommit(org)));
  o.log.info("force-pushed acme/platform-gitops main", {
    old: moved.oldTip.slice(0, 12),
    new: moved.newTip.slice(0, 12),
  });

  o.log.info("second collection", { at: clocks.second().toISOString() });
  const second = await collectAll(cfg, o.log, clocks.second, { env });
  printSummary(second, o.out);
  throwIfIncomplete(second);

  const result = await reportPeriod(cfg, parsePeriod(DEMO_PERIOD), o.log, o.now);
  o.out(`config: ${configFile}`);
  o.out(`database: ${cfg.database}`);
  for (const f of result.files) o.out(`report: ${path.join(result.dir, f)}`);
  for (const line of ruleSummaryLines(result.rules)) o.out(`rule ${line}`);
  for (const d of result.deployments) o.out(`deployment ${d.rule} ${d.verdict} ${d.deployment}: ${d.reason}`);
  for (const p of result.provenance) o.out(`image C12 ${p.verdict} ${p.change}: ${p.reason}`);
  for (const a of result.access) o.out(`access ${a.rule} ${a.verdict}: ${a.reason}`);
  for (const d of result.duties) o.out(`duties ${d.person}: ${d.reason}`);
  return result;
}
