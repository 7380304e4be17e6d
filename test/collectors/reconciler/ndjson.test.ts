import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { argoDeployments } from "../../../src/collectors/reconciler/argocd.js";
import { importExport } from "../../../src/collectors/reconciler/import.js";
import { type ExportHeader, readExport, writeExport } from "../../../src/collectors/reconciler/ndjson.js";
import { argoApplication, argoHistoryEntry, fakeSha } from "../../../src/demo/fake-cluster/index.js";
import { openStore } from "../../../src/store/db.js";
import { listRuns, verifyLedger } from "../../../src/store/ledger.js";
import { readDeployments } from "../../../src/store/reconciler-store.js";
import { tempDir } from "../../helpers/tmp.js";

/** Records written by an in-cluster run, imported by a report machine that has no cluster access. */

const dir = tempDir("changeproof-ndjson-");
let n = 0;
const fresh = () => openStore(path.join(dir, `n-${++n}.db`));
const now = () => new Date("2026-07-30T00:00:00Z");
const SRC = { repoURL: "https://github.com/acme/gitops.git", path: "apps/payments" };

function read(ids: number[], observedAt: string) {
  const app = argoApplication({
    name: "payments",
    source: SRC,
    revisionHistoryLimit: 3,
    history: ids.map((id) =>
      argoHistoryEntry({
        id,
        revision: fakeSha(`p${id}`),
        deployedAt: `2026-07-${String(id + 1).padStart(2, "0")}T10:00:00Z`,
        source: SRC,
        initiatedBy: { automated: true },
      }),
    ),
  });
  const m = argoDeployments(app, "prod", observedAt);
  return { deployments: m.deployments, observations: m.observation ? [m.observation] : [], events: [] };
}

const header = (runId: number, startedAt: string, status: "succeeded" | "failed" = "succeeded"): ExportHeader => ({
  cluster: "prod",
  runId,
  startedAt,
  status,
  error: status === "failed" ? "cluster prod: listing kustomizations failed: HTTP 500" : null,
  counts: { deploymentsRead: 3, warnings: 1 },
  gaps: [],
  parameters: { source: "kubernetes" },
});

describe("NDJSON export and import", () => {
  const out = path.join(dir, "exports");
  const first = writeExport(out, header(1, "2026-07-04T00:00:00.000Z"), read([0, 1, 2], "2026-07-04T00:00:00.000Z"));
  const second = writeExport(out, header(2, "2026-07-20T00:00:00.000Z"), read([6, 7, 8], "2026-07-20T00:00:00.000Z"));

  it("names files by cluster, time and run, and never writes over one", () => {
    expect(path.basename(first)).toBe("changeproof-prod-20260704T000000Z-run1.ndjson");
    expect(() => writeExport(out, header(1, "2026-07-04T00:00:00.000Z"), read([0], "x"))).toThrow(/exists already/);
  });

  it("imports each file once, keeps the exporting run's identity, and detects history dropped between them", () => {
    const db = fresh();
    const a = importExport(db, first, now);
    // The exporting run's skipped objects travel with it, for the report's cover.
    expect(a).toMatchObject({ cluster: "prod", counts: { deploymentsAdded: 3, historyGaps: 0, warnings: 1 } });
    const b = importExport(db, second, now);
    expect(b.counts).toMatchObject({ deploymentsAdded: 3, historyGaps: 1 });
    expect(b.gaps).toEqual([expect.stringMatching(/3 history entries were dropped by the cluster/)]);
    expect(importExport(db, first, now)).toMatchObject({ runId: null, earlierRunId: a.runId });
    expect(readDeployments(db)).toHaveLength(6);
    const run = listRuns(db).find((r) => r.id === b.runId);
    expect(JSON.parse(run?.parameters ?? "{}")).toMatchObject({
      source: "import",
      file: path.basename(second),
      origin: { runId: 2, startedAt: "2026-07-20T00:00:00.000Z", status: "succeeded" },
    });
    expect(verifyLedger(db).intact).toBe(true);
  });

  it("warns when an export older than a stored read is imported after it", () => {
    const db = fresh();
    expect(importExport(db, second, now).outOfOrder).toBeNull();
    expect(importExport(db, first, now).outOfOrder).toMatch(
      /^a later read of cluster prod \(2026-07-20T00:00:00\.000Z\) was stored first; state records/,
    );
  });

  it("a failed exporting run is a failed import run: the gap follows the records", () => {
    const db = fresh();
    const failed = writeExport(
      out,
      header(3, "2026-07-21T00:00:00.000Z", "failed"),
      read([8], "2026-07-21T00:00:00.000Z"),
    );
    const r = importExport(db, failed, now);
    expect(r.originFailed).toBe(true);
    expect(listRuns(db)[0]).toMatchObject({ status: "failed" });
    expect(listRuns(db)[0]?.error).toContain("the exporting run 3 failed: cluster prod: listing kustomizations failed");
  });

  it("refuses a cut-off, edited or foreign file whole, naming the line, and stores nothing", () => {
    const db = fresh();
    const lines = readFileSync(first, "utf8").split("\n");
    const cut = path.join(dir, "cut.ndjson");
    writeFileSync(cut, `${lines.slice(0, -2).join("\n")}\n`);
    expect(() => importExport(db, cut, now)).toThrow(
      `${cut}:5: the end line is missing: the file was cut off; nothing was imported from it`,
    );
    const edited = path.join(dir, "edited.ndjson");
    writeFileSync(edited, lines.join("\n").replace('"automated":true', '"automated":false'));
    expect(() => importExport(db, edited, now)).toThrow(/:6: the lines do not match the end line's count and SHA-256/);
    const foreign = path.join(dir, "foreign.ndjson");
    writeFileSync(foreign, '{"hello":"world"}\n{"type":"end"}\n');
    expect(() => importExport(db, foreign, now)).toThrow(`${foreign}:1: not a changeproof-reconciler/1 header`);
    expect(readDeployments(db)).toEqual([]);
    expect(listRuns(db)).toEqual([]);
  });

  it("checks every record line: a bad commit id is named by its line", () => {
    const content = read([0], "2026-07-04T00:00:00.000Z");
    const bad = { ...content, deployments: content.deployments.map((d) => ({ ...d, commit: "not-a-sha" })) };
    const file = writeExport(path.join(dir, "bad"), header(9, "2026-07-04T00:00:00.000Z"), bad);
    expect(() => readExport(file)).toThrow(`${file}:2: record.commit`);
  });
});
