import type { z } from "zod";
import type { Mapped } from "./deployment.js";

/** `Kustomization flux-system/apps`: how warnings name an object, whatever state it is in. */
export function objectLabel(kind: string, raw: unknown): string {
  const meta = (raw as { metadata?: { namespace?: unknown; name?: unknown } } | null)?.metadata;
  const part = (v: unknown) => (typeof v === "string" && v !== "" ? v : "?");
  return `${kind} ${part(meta?.namespace)}/${part(meta?.name)}`;
}

/** `status.history.0.deployedAt is not a date`: the first problem, where it is. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const at = issue?.path.map(String).join(".") ?? "";
  return `${at || "the object"} ${issue?.message ?? "is malformed"}`;
}

/** An object that does not parse is skipped, with a warning that names it and the first problem. */
export function skipped(kind: string, raw: unknown, error: z.ZodError): Mapped {
  return {
    deployments: [],
    observation: null,
    warnings: [`${objectLabel(kind, raw)}: skipped, ${describeIssue(error)}`],
  };
}
