import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ClusterError, messageOf } from "../../errors/index.js";
import type { RunRow } from "../../store/ledger.js";
import { toolVersion } from "../../version.js";
import type { DeploymentRecord, HistoryObservation, ReconcilerEventRecord } from "./deployment.js";

/**
 * Reconciler records as NDJSON files: a run inside the cluster writes what it read, and a report
 * run elsewhere imports it, so the machine that builds reports needs no cluster credentials. One
 * file per run: a header naming the run, one line per record, and a trailer with the line count
 * and the SHA-256 of every line before it, so a cut-off or corrupted file is refused whole. The
 * checksum is not a signature (anyone who can write the file can recompute it): the folder or
 * bucket the exports travel through must be writable by the collector alone.
 */

export const FORMAT = "changeproof-reconciler/1";

export interface ExportHeader {
  cluster: string;
  runId: number;
  startedAt: string;
  status: "succeeded" | "failed";
  error: string | null;
  counts: Record<string, number>;
  gaps: string[];
  parameters: Record<string, unknown>;
}

export interface ExportContent {
  deployments: readonly DeploymentRecord[];
  observations: readonly HistoryObservation[];
  events: readonly ReconcilerEventRecord[];
}

const time = z.string().refine((t) => !Number.isNaN(Date.parse(t)), "is not a timestamp");
const text = z.string().max(100_000);

const deploymentSchema = z.strictObject({
  reconciler: z.enum(["argocd", "flux-kustomization", "flux-helmrelease", "flux-v1"]),
  cluster: text,
  namespace: text,
  name: text,
  basis: z.enum(["history", "operation", "status", "event", "webhook", "tag", "note"]),
  identity: text,
  sourceRepo: text.nullable(),
  sourcePath: text.nullable(),
  revisions: z.array(text),
  commit: z
    .string()
    .regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/)
    .nullable(),
  startedAt: time.nullable(),
  finishedAt: time,
  initiatedBy: text.nullable(),
  automated: z.boolean().nullable(),
  outcome: z.enum(["succeeded", "failed", "error"]),
  rollback: z.boolean(),
  evidence: text,
  detail: z.record(z.string(), z.union([text, z.number(), z.boolean(), z.null()])),
}) satisfies z.ZodType<DeploymentRecord>;

const observationSchema = z.strictObject({
  reconciler: z.enum(["argocd", "flux-kustomization", "flux-helmrelease", "flux-v1"]),
  cluster: text,
  namespace: text,
  name: text,
  observedAt: time,
  entries: z.number().int().min(0),
  capacity: z.number().int().min(0).nullable(),
  horizon: time.nullable(),
  newest: time.nullable(),
  seqMin: z.number().int().nullable(),
  seqMax: z.number().int().nullable(),
  state: text.nullable(),
}) satisfies z.ZodType<HistoryObservation>;

const eventSchema = z.strictObject({
  cluster: text,
  via: z.enum(["api", "webhook"]),
  key: text,
  kind: text,
  namespace: text,
  name: text,
  reason: text,
  severity: text,
  message: text,
  revision: text.nullable(),
  controller: text,
  firstAt: time,
  lastAt: time,
  count: z.number().int().min(0),
}) satisfies z.ZodType<ReconcilerEventRecord>;

const headerSchema = z.strictObject({
  type: z.literal("header"),
  format: z.literal(FORMAT),
  tool: z.string(),
  cluster: z.string().min(1),
  runId: z.number().int(),
  startedAt: time,
  status: z.enum(["succeeded", "failed"]),
  error: z.string().nullable(),
  counts: z.record(z.string(), z.number()),
  gaps: z.array(z.string()),
  parameters: z.record(z.string(), z.unknown()),
});

const lineSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("deployment"), record: deploymentSchema }),
  z.strictObject({ type: z.literal("observation"), record: observationSchema }),
  z.strictObject({ type: z.literal("event"), record: eventSchema }),
]);
const trailerSchema = z.strictObject({
  type: z.literal("end"),
  lines: z.number().int(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

const digestOf = (lines: readonly string[]) =>
  createHash("sha256")
    .update(lines.map((l) => `${l}\n`).join(""))
    .digest("hex");

/** Writes the file atomically (temp file, then rename) and never over an existing one. */
export function writeExport(dir: string, header: ExportHeader, content: ExportContent): string {
  const stamp = header.startedAt.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const safeCluster = header.cluster.replace(/[^A-Za-z0-9._-]/g, "_");
  const file = path.join(dir, `changeproof-${safeCluster}-${stamp}-run${header.runId}.ndjson`);
  if (existsSync(file)) throw new ClusterError("E_EXPORT_EXISTS", `export ${file} exists already; not overwritten`);
  const lines = [
    JSON.stringify({ type: "header", format: FORMAT, tool: toolVersion, ...header }),
    ...content.deployments.map((record) => JSON.stringify({ type: "deployment", record })),
    ...content.observations.map((record) => JSON.stringify({ type: "observation", record })),
    ...content.events.map((record) => JSON.stringify({ type: "event", record })),
  ];
  lines.push(JSON.stringify({ type: "end", lines: lines.length, sha256: digestOf(lines) }));
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.partial`;
    writeFileSync(tmp, lines.map((l) => `${l}\n`).join(""), { flag: "wx" });
    renameSync(tmp, file);
  } catch (e) {
    throw new ClusterError("E_EXPORT_WRITE", `cannot write export ${file}: ${messageOf(e)}`, { cause: e });
  }
  return file;
}

/** Exports one stored run: its header is the run as the ledger has it, with the outcome given. */
export function exportRun(
  dir: string,
  run: RunRow,
  cluster: string,
  outcome: Pick<ExportHeader, "status" | "error" | "counts" | "gaps">,
  content: ExportContent,
): string {
  return writeExport(
    dir,
    {
      cluster,
      runId: run.id,
      startedAt: run.started_at,
      ...outcome,
      parameters: JSON.parse(run.parameters) as Record<string, unknown>,
    },
    content,
  );
}

export interface ParsedExport extends ExportContent {
  header: z.infer<typeof headerSchema>;
  sha256: string;
}

/** Reads and checks a whole export; any problem names the file and line and nothing is kept. */
export function readExport(file: string): ParsedExport {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new ClusterError("E_IMPORT_READ", `cannot read ${file}: ${messageOf(e)}`, { cause: e });
  }
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const lines = bytes.toString("utf8").split("\n");
  if (lines.at(-1) === "") lines.pop();
  const bad = (n: number, why: string) =>
    new ClusterError("E_IMPORT_FORMAT", `${file}:${n}: ${why}; nothing was imported from it`);
  const parse = (n: number): unknown => {
    try {
      return JSON.parse(lines[n - 1] ?? "");
    } catch {
      throw bad(n, "not JSON");
    }
  };
  const issue = (e: z.ZodError) => {
    const i = e.issues[0];
    return `${i?.path.join(".") || "the line"} ${i?.message ?? "is malformed"}`;
  };
  if (lines.length < 2) throw bad(lines.length, "not a changeproof export (too short)");
  const header = headerSchema.safeParse(parse(1));
  if (!header.success) throw bad(1, `not a ${FORMAT} header: ${issue(header.error)}`);
  const trailer = trailerSchema.safeParse(parse(lines.length));
  if (!trailer.success) throw bad(lines.length, "the end line is missing: the file was cut off");
  const body = lines.slice(0, -1);
  if (trailer.data.lines !== body.length || trailer.data.sha256 !== digestOf(body)) {
    throw bad(lines.length, "the lines do not match the end line's count and SHA-256: the file was cut off or altered");
  }
  const out: ParsedExport = { header: header.data, sha256, deployments: [], observations: [], events: [] };
  const deployments: DeploymentRecord[] = [];
  const observations: HistoryObservation[] = [];
  const events: ReconcilerEventRecord[] = [];
  for (let n = 2; n < lines.length; n++) {
    const line = lineSchema.safeParse(parse(n));
    if (!line.success) throw bad(n, issue(line.error));
    const { record } = line.data;
    if (record.cluster !== header.data.cluster)
      throw bad(n, `a record of cluster "${record.cluster}" in an export of "${header.data.cluster}"`);
    if (line.data.type === "deployment") deployments.push(line.data.record);
    else if (line.data.type === "observation") observations.push(line.data.record);
    else events.push(line.data.record);
  }
  return { ...out, deployments, observations, events };
}
