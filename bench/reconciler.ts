import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { collectCluster } from "../src/collectors/reconciler/collect.js";
import { clusterSchema } from "../src/config/schema.js";
import {
  argoApplication,
  argoHistoryEntry,
  fakeDigest,
  fakeSha,
  fluxGitRevision,
  fluxSnapshot,
  kustomization,
  startFakeKube,
  writeKubeconfig,
} from "../src/demo/fake-cluster/index.js";
import { silentLogger } from "../src/log/logger.js";
import { openStore } from "../src/store/db.js";

/**
 * `npm run bench` (third part): the cluster collector against the fake Kubernetes API. The floor
 * is reading the same lists raw (every page fetched and parsed, nothing mapped or stored); the
 * collector's cost above that is ours. Prints the ratio for a first run and a no-op re-run, and
 * the requests per 100 objects. Size: BENCH_APPS (3000) Applications x 10 history entries and
 * BENCH_KS (1000) Kustomizations x 5, pages of 500.
 */

const APPS = Number(process.env.BENCH_APPS ?? 3000);
const KS = Number(process.env.BENCH_KS ?? 1000);
const TOKEN = "bench-kube-token-0123456789";
const PAGE = 500;
const day = (i: number) => new Date(Date.UTC(2026, 6, 1) + i * 3_600_000).toISOString().replace(".000Z", "Z");

const applications = Array.from({ length: APPS }, (_, a) => {
  const source = { repoURL: "https://github.com/acme/gitops.git", path: `apps/app-${a}`, targetRevision: "main" };
  return argoApplication({
    name: `app-${a}`,
    namespace: `team-${a % 20}`,
    source,
    history: Array.from({ length: 10 }, (_, i) =>
      argoHistoryEntry({
        id: i,
        revision: fakeSha(`${a}-${i}`),
        deployStartedAt: day(i),
        deployedAt: day(i),
        source,
        initiatedBy: i % 4 === 0 ? { username: "alice@acme.example" } : { automated: true },
      }),
    ),
  });
});
const kustomizations = Array.from({ length: KS }, (_, k) =>
  kustomization({
    name: `ks-${k}`,
    path: `./ks-${k}`,
    lastAppliedRevision: fluxGitRevision("main", fakeSha(`k${k}-4`)),
    history: Array.from({ length: 5 }, (_, i) =>
      fluxSnapshot({
        digest: fakeDigest(`k${k}-${i}`),
        firstReconciled: day(i),
        lastReconciled: day(i + 1),
        lastReconciledStatus: i === 2 ? "HealthCheckFailed" : "ReconciliationSucceeded",
        metadata: { revision: fluxGitRevision("main", fakeSha(`k${k}-${i}`)) },
      }),
    ),
  }),
);

const kube = await startFakeKube({
  tokens: { [TOKEN]: { allow: "all" } },
  objects: {
    "applications.argoproj.io/v1alpha1": applications,
    "kustomizations.kustomize.toolkit.fluxcd.io/v1": kustomizations,
  },
});
const work = mkdtempSync(path.join(tmpdir(), "changeproof-bench-kube-"));
const kubeconfig = path.join(work, "kubeconfig");
writeKubeconfig(kubeconfig, { server: kube.url, token: TOKEN });
const cluster = clusterSchema.parse({ name: "bench", kubernetes: { kubeconfig }, pageSize: PAGE, events: false });

/** The floor: the same lists, every page fetched and parsed, nothing else. */
async function rawRead(): Promise<number> {
  const t = performance.now();
  for (const p of ["/apis/argoproj.io/v1alpha1/applications", "/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations"]) {
    let cont = "";
    do {
      const res = await fetch(`${kube.url}${p}?limit=${PAGE}${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      const body = (await res.json()) as { metadata?: { continue?: string } };
      cont = body.metadata?.continue ?? "";
    } while (cont);
  }
  return performance.now() - t;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

try {
  const raw: number[] = [];
  for (let i = 0; i < 3; i++) raw.push(await rawRead());
  const first: number[] = [];
  const again: number[] = [];
  let counts: Record<string, number> = {};
  let noop: Record<string, number> = {};
  for (let i = 0; i < 3; i++) {
    const dbFile = path.join(work, `bench-${i}.db`);
    const db = openStore(dbFile);
    const before = kube.requests.length;
    let t = performance.now();
    counts = (await collectCluster(db, cluster, 0, { log: silentLogger, now: () => new Date(), env: {} })).counts;
    first.push(performance.now() - t);
    const requests = kube.requests.length - before;
    counts.httpRequests = requests;
    t = performance.now();
    noop = (await collectCluster(db, cluster, 0, { log: silentLogger, now: () => new Date(), env: {} })).counts;
    again.push(performance.now() - t);
    db.close();
  }
  const objects = APPS + KS;
  const rawMs = median(raw);
  console.log(`\nReconciler collector: ${APPS} Applications x 10 entries, ${KS} Kustomizations x 5, pages of ${PAGE}`);
  console.log("| run | ms (median of 3) | x raw list read | requests | per 100 objects | records added |");
  console.log("|---|---|---|---|---|---|");
  console.log(`| raw list read (fetch + JSON.parse) | ${rawMs.toFixed(0)} | 1.00x | | | |`);
  console.log(
    `| first run | ${median(first).toFixed(0)} | ${(median(first) / rawMs).toFixed(2)}x | ${counts.httpRequests} | ${(((counts.httpRequests ?? 0) / objects) * 100).toFixed(2)} | ${counts.deploymentsAdded} |`,
  );
  console.log(
    `| no-op re-run | ${median(again).toFixed(0)} | ${(median(again) / rawMs).toFixed(2)}x | ${noop.requests} | ${(((noop.requests ?? 0) / objects) * 100).toFixed(2)} | ${noop.deploymentsAdded} (updated ${noop.deploymentsUpdated}) |`,
  );
} finally {
  await kube.close();
  rmSync(work, { recursive: true, force: true });
}
