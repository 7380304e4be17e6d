import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ClusterError, messageOf } from "../../errors/index.js";
import { type RunRow, storedError } from "../../store/ledger.js";
import { plural } from "../../util/plural.js";
import { toolVersion } from "../../version.js";
import type { DeploymentRecord, HistoryObservation, ReconcilerEventRecord } from "./deployment.js";
import { firstIssue, type RecordLine, recordLineSchema, time } from "./record-schema.js";

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

const trailerSchema = z.strictObject({
  type: z.literal("end"),
  lines: z.number().int(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

const digestOf = (lines: readonly string[]) =>
  createHash("sha256")
    .update(lines.map((l) => `${l}\n`).join(""))
    .digest("hex");

/**
 * One record line as `import` checks it: the shared schema (record-schema.ts) and the header's
 * cluster. The writer and the reader both call it, so nothing is written that import refuses.
 */
function checkLine(value: unknown, cluster: string): { line: RecordLine; problem: null } | { problem: string } {
  const parsed = recordLineSchema.safeParse(value);
  if (!parsed.success) return { problem: firstIssue(parsed.error) };
  const { record } = parsed.data;
  if (record.cluster !== cluster)
    return { problem: `a record of cluster "${record.cluster}" in an export of "${cluster}"` };
  return { line: parsed.data, problem: null };
}

/** A record left out, named without its possibly huge fields. */
function labelOf(type: RecordLine["type"], record: { namespace?: unknown; name?: unknown }): string {
  const clip = (v: unknown) => (typeof v !== "string" ? "?" : v.length > 253 ? `${v.slice(0, 253)}…` : v);
  return `${type} about ${clip(record.namespace)}/${clip(record.name)}`;
}

/** The file written, and each record left out of it (named, with why) because import would refuse it. */
export interface WrittenExport {
  file: string;
  leftOut: string[];
}

/**
 * Writes the file atomically (temp file, then rename) and never over an existing one. A record
 * that import would refuse is left out rather than making the whole file unimportable: the
 * header then says so (`counts.leftOut`, added to `counts.warnings`, and a gap line), and the
 * caller gets one line per record to log. A header import would refuse is an error: no file.
 */
export function writeExport(dir: string, header: ExportHeader, content: ExportContent): WrittenExport {
  const stamp = header.startedAt.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const safeCluster = header.cluster.replace(/[^A-Za-z0-9._-]/g, "_");
  const file = path.join(dir, `changeproof-${safeCluster}-${stamp}-run${header.runId}.ndjson`);
  if (existsSync(file)) throw new ClusterError("E_EXPORT_EXISTS", `export ${file} exists already; not overwritten`);
  const records: string[] = [];
  const leftOut: string[] = [];
  const add = (type: RecordLine["type"], record: DeploymentRecord | HistoryObservation | ReconcilerEventRecord) => {
    const line = JSON.stringify({ type, record });
    // Checked as import will read it: parsed back from the very line written.
    const checked = checkLine(JSON.parse(line), header.cluster);
    if (checked.problem === null) records.push(line);
    else
      leftOut.push(`${labelOf(type, record)}: left out of export ${file}, import would refuse it: ${checked.problem}`);
  };
  for (const r of content.deployments) add("deployment", r);
  for (const r of content.observations) add("observation", r);
  for (const r of content.events) add("event", r);
  const told =
    leftOut.length === 0
      ? header
      : {
          ...header,
          counts: {
            ...header.counts,
            leftOut: leftOut.length,
            warnings: (header.counts.warnings ?? 0) + leftOut.length,
          },
          gaps: [
            ...header.gaps,
            `${plural(leftOut.length, "record")} left out of this export: import would refuse them`,
          ],
        };
  const head = JSON.stringify({ type: "header", format: FORMAT, tool: toolVersion, ...told });
  const headChecked = headerSchema.safeParse(JSON.parse(head));
  if (!headChecked.success) {
    throw new ClusterError(
      "E_EXPORT_INVALID",
      `export ${file} not written: import would refuse its header (${firstIssue(headChecked.error)})`,
    );
  }
  const lines = [head, ...records];
  lines.push(JSON.stringify({ type: "end", lines: lines.length, sha256: digestOf(lines) }));
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.partial`;
    writeFileSync(tmp, lines.map((l) => `${l}\n`).join(""), { flag: "wx" });
    renameSync(tmp, file);
  } catch (e) {
    throw new ClusterError("E_EXPORT_WRITE", `cannot write export ${file}: ${messageOf(e)}`, { cause: e });
  }
  return { file, leftOut };
}

/** Exports one stored run: its header is the run as the ledger has it, with the outcome given. */
export function exportRun(
  dir: string,
  run: RunRow,
  cluster: string,
  outcome: Pick<ExportHeader, "status" | "error" | "counts" | "gaps">,
  content: ExportContent,
): WrittenExport {
  return writeExport(
    dir,
    {
      cluster,
      runId: run.id,
      startedAt: run.started_at,
      ...outcome,
      // Kept like the ledger keeps them: the report machine does not know this cluster's tokens.
      error: outcome.error === null ? null : storedError(outcome.error),
      gaps: outcome.gaps.map(storedError),
      parameters: JSON.parse(run.parameters) as Record<string, unknown>,
    },
    content,
  );
}

export interface ParsedExport extends ExportContent {
  header: z.infer<typeof headerSchema>;
  sha256: string;
}

/**
 * The cluster an export's header names, read from its first line alone (at most 64 KiB), so a
 * folder can be checked before anything of it is stored; undefined when the first line is not
 * a header (readExport then says what is wrong with the file).
 */
export function exportCluster(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const first = buf.toString("utf8", 0, n).split("\n")[0] ?? "";
    const header = JSON.parse(first) as { type?: unknown; cluster?: unknown };
    return header.type === "header" && typeof header.cluster === "string" ? header.cluster : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
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
  if (lines.length < 2) throw bad(lines.length, "not a changeproof export (too short)");
  const header = headerSchema.safeParse(parse(1));
  if (!header.success) throw bad(1, `not a ${FORMAT} header: ${firstIssue(header.error)}`);
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
    const checked = checkLine(parse(n), header.data.cluster);
    if (checked.problem !== null) throw bad(n, checked.problem);
    const { line } = checked;
    if (line.type === "deployment") deployments.push(line.record);
    else if (line.type === "observation") observations.push(line.record);
    else events.push(line.record);
  }
  return { ...out, deployments, observations, events };
}
