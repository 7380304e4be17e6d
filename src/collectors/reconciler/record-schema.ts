import { z } from "zod";
import type { DeploymentRecord, HistoryObservation, ReconcilerEventRecord } from "./deployment.js";

/**
 * What a reconciler record may hold: the one definition of the limits `import` applies to every
 * line of an export. The webhook receiver checks each event against it before storing (and refuses
 * what an export could not carry), and the export writer checks each line against it before writing,
 * so the project's own exports always import.
 */

/** The longest text field, in UTF-16 code units (a JavaScript string's length). */
export const MAX_TEXT = 100_000;

export const time = z.string().refine((t) => !Number.isNaN(Date.parse(t)), "is not a timestamp");
const text = z.string().max(MAX_TEXT);
const reconciler = z.enum(["argocd", "flux-kustomization", "flux-helmrelease", "flux-v1"]);

export const deploymentSchema = z.strictObject({
  reconciler,
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

export const observationSchema = z.strictObject({
  reconciler,
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

export const eventSchema = z.strictObject({
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

/** One record line of an export. */
export const recordLineSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("deployment"), record: deploymentSchema }),
  z.strictObject({ type: z.literal("observation"), record: observationSchema }),
  z.strictObject({ type: z.literal("event"), record: eventSchema }),
]);
export type RecordLine = z.infer<typeof recordLineSchema>;

/** A schema's first complaint, as `<path> <message>`: field names and zod's fixed text, never the value. */
export function firstIssue(e: z.ZodError, prefix = ""): string {
  const i = e.issues[0];
  const at = [prefix, ...(i?.path.map(String) ?? [])].filter((p) => p !== "").join(".");
  return `${at || "the line"} ${i?.message ?? "is malformed"}`;
}

const SCHEMAS = { deployment: deploymentSchema, observation: observationSchema, event: eventSchema } as const;

/**
 * Null when `import` would take the record as JSON carries it (what the export writes); otherwise
 * why not, e.g. `event.message Too big: expected string to have <=100000 characters`.
 */
export function recordProblem(type: keyof typeof SCHEMAS, record: unknown): string | null {
  // JSON.stringify gives undefined (despite its type) for undefined and functions.
  const json = JSON.stringify(record) as string | undefined;
  if (json === undefined) return `${type} is not a record`;
  const parsed = SCHEMAS[type].safeParse(JSON.parse(json));
  return parsed.success ? null : firstIssue(parsed.error, type);
}
