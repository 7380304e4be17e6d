import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { argoDeployments } from "../../../src/collectors/reconciler/argocd.js";
import type { ReconcilerEventRecord } from "../../../src/collectors/reconciler/deployment.js";
import { importExport } from "../../../src/collectors/reconciler/import.js";
import { type ExportHeader, readExport, writeExport } from "../../../src/collectors/reconciler/ndjson.js";
import { MAX_TEXT } from "../../../src/collectors/reconciler/record-schema.js";
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

const event = (message: string, cluster = "prod"): ReconcilerEventRecord => ({
  cluster,
  via: "webhook",
  key: createHash("sha256").update(message).digest("hex"),
  kind: "Kustomization",
  namespace: "flux-system",
  name: "apps",
  reason: "ReconciliationFailed",
  severity: "error",
  message,
  revision: null,
  controller: "kustomize-controller",
  firstAt: "2026-07-05T10:00:00Z",
  lastAt: "2026-07-05T10:00:00Z",
  count: 1,
});

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
  const first = writeExport(
    out,
    header(1, "2026-07-04T00:00:00.000Z"),
    read([0, 1, 2], "2026-07-04T00:00:00.000Z"),
  ).file;
  const second = writeExport(
    out,
    header(2, "2026-07-20T00:00:00.000Z"),
    read([6, 7, 8], "2026-07-20T00:00:00.000Z"),
  ).file;

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
    ).file;
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
    // Written by hand (the writer leaves such a record out): one line edited, the end line made to match.
    const { file: good } = writeExport(
      path.join(dir, "bad"),
      header(9, "2026-07-04T00:00:00.000Z"),
      read([0], "2026-07-04T00:00:00.000Z"),
    );
    const lines = readFileSync(good, "utf8").trimEnd().split("\n").slice(0, -1);
    const line = JSON.parse(lines[1] ?? "{}") as { record: { commit: string } };
    line.record.commit = "not-a-sha";
    lines[1] = JSON.stringify(line);
    const sha256 = createHash("sha256")
      .update(lines.map((l) => `${l}\n`).join(""))
      .digest("hex");
    const file = path.join(dir, "bad", "edited-commit.ndjson");
    writeFileSync(file, [...lines, JSON.stringify({ type: "end", lines: lines.length, sha256 }), ""].join("\n"));
    expect(() => readExport(file)).toThrow(`${file}:2: record.commit`);
  });

  it("never writes a record import would refuse: it is left out, named, counted in the header, and the file imports", () => {
    const long = "x".repeat(MAX_TEXT + 1);
    const atLimit = "y".repeat(MAX_TEXT);
    const content = read([0, 1], "2026-07-04T00:00:00.000Z");
    const written = writeExport(path.join(dir, "limits"), header(10, "2026-07-04T00:00:00.000Z"), {
      ...content,
      events: [event("short"), event(long), event(atLimit), event("elsewhere", "staging")],
    });
    expect(written.leftOut).toEqual([
      expect.stringMatching(
        /^event about flux-system\/apps: left out of export .*run10\.ndjson, import would refuse it: record\.message Too big: expected string to have <=100000 characters$/,
      ),
      expect.stringMatching(/: a record of cluster "staging" in an export of "prod"$/),
    ]);
    expect(written.leftOut.join("")).not.toContain("xxxxxxxx");
    // What import takes is exactly what was kept, and the header says what was not.
    const parsed = readExport(written.file);
    expect(parsed.events.map((e) => e.message)).toEqual(["short", atLimit]);
    expect(parsed.deployments).toEqual(content.deployments);
    expect(parsed.header.counts).toEqual({ deploymentsRead: 3, warnings: 3, leftOut: 2 });
    expect(parsed.header.gaps).toEqual(["2 records left out of this export: import would refuse them"]);
    const db = fresh();
    const imported = importExport(db, written.file, now);
    expect(imported.counts).toMatchObject({ deploymentsAdded: 2, eventsAdded: 2, warnings: 3 });
  });

  it("refuses to write a file whose header import would refuse", () => {
    const folder = path.join(dir, "no-header");
    expect(() => writeExport(folder, { ...header(11, "not a time") }, read([0], "2026-07-04T00:00:00.000Z"))).toThrow(
      /not written: import would refuse its header \(startedAt is not a timestamp\)$/,
    );
    expect(existsSync(folder)).toBe(false);
  });
});
