import { z } from "zod";
import {
  type DeploymentOutcome,
  type DeploymentRecord,
  type Mapped,
  minMax,
  revisionsAt,
  spanOf,
} from "./deployment.js";
import { describeIssue, skipped } from "./malformed.js";
import { firstCommit } from "./revision.js";

/**
 * Argo CD Applications (argoproj.io/v1alpha1) mapped to deployments. Shapes and semantics are in
 * docs/reference/reconcilers.md §1: `status.history` holds successful syncs only (oldest first,
 * at most revisionHistoryLimit, default 10); a failed sync is visible only in
 * `status.operationState` until the next operation replaces it; `initiatedBy` says automated or
 * a username (absent before Argo CD 2.11); a rollback is a sync whose operation names a source.
 * Parsing is tolerant where Argo CD versions differ and strict where evidence depends on it.
 */

// Timestamps are evidence: one that does not parse makes the object malformed, never a record.
const time = z.iso.datetime({ offset: true, error: "is not a date" });
const source = z.looseObject({ repoURL: z.string().optional(), path: z.string().optional() });
const initiator = z.looseObject({ username: z.string().optional(), automated: z.boolean().optional() });

/** History entries, sync operations and their results all name revisions (one per source) and sources. */
const revisionsAndSources = z.looseObject({
  revision: z.string().optional(),
  revisions: z.array(z.string()).optional(),
  source: source.optional(),
  sources: z.array(source).optional(),
});

const historyEntry = revisionsAndSources.extend({
  id: z.number().int(),
  deployStartedAt: time.nullable().optional(),
  deployedAt: time,
  initiatedBy: initiator.optional(),
});

const operationState = z.looseObject({
  phase: z.string(),
  message: z.string().optional(),
  startedAt: time,
  finishedAt: time.nullable().optional(),
  operation: z
    .looseObject({
      sync: revisionsAndSources
        .extend({
          dryRun: z.boolean().optional(),
          // A partial sync names the resources it was limited to.
          resources: z.array(z.unknown()).nullable().optional(),
        })
        .optional(),
      initiatedBy: initiator.optional(),
    })
    .optional(),
  syncResult: revisionsAndSources.optional(),
});

export const argoApplicationSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().optional() }),
  spec: z
    .looseObject({
      source: source.optional(),
      sources: z.array(source).optional(),
      destination: z.looseObject({ namespace: z.string().optional() }).optional(),
      revisionHistoryLimit: z.number().int().nullable().optional(),
    })
    .optional(),
  status: z
    .looseObject({
      // Entries are parsed one by one: a malformed entry is skipped with a warning, not the app.
      history: z.array(z.unknown()).nullable().optional(),
      sync: z
        .looseObject({
          status: z.string().optional(),
          revision: z.string().optional(),
          revisions: z.array(z.string()).optional(),
        })
        .nullable()
        .optional(),
      health: z.looseObject({ status: z.string().optional() }).nullable().optional(),
      operationState: operationState.nullable().optional(),
    })
    .nullable()
    .optional(),
});
export type ArgoApplication = z.infer<typeof argoApplicationSchema>;

const DEFAULT_HISTORY_LIMIT = 10;

type Source = z.infer<typeof source>;
type HistoryEntry = z.infer<typeof historyEntry>;
const historyList = z.array(historyEntry);
type Initiator = z.infer<typeof initiator>;

function revisionsOf(entry: { revision?: string | undefined; revisions?: string[] | undefined }): string[] {
  if (entry.revisions && entry.revisions.length > 0) return entry.revisions;
  return entry.revision ? [entry.revision] : [];
}

function who(i: Initiator | undefined): { initiatedBy: string | null; automated: boolean | null } {
  if (i?.automated === true) return { initiatedBy: null, automated: true };
  if (i?.username) return { initiatedBy: i.username, automated: false };
  return { initiatedBy: null, automated: null };
}

function firstSource(one: Source | undefined, many: Source[] | undefined): Source | undefined {
  return many && many.length > 0 ? many[0] : one;
}

const OUTCOME: Record<string, DeploymentOutcome> = { Succeeded: "succeeded", Failed: "failed", Error: "error" };

/** `Synced to <rev>; Healthy`: the sync status the application showed at the read. */
function argoState(app: ArgoApplication): string | null {
  const sync = app.status?.sync;
  const health = app.status?.health?.status;
  const revisions = revisionsOf(sync ?? {});
  const parts = [
    ...(sync?.status ? [`${sync.status}${revisions.length > 0 ? ` to ${revisions.join(", ")}` : ""}`] : []),
    ...(health ? [health] : []),
  ];
  return parts.length > 0 ? parts.join("; ") : null;
}

/** An Application's syncs, and how far back its history reaches (read at `observedAt`). */
export function argoDeployments(raw: unknown, cluster: string, observedAt: string): Mapped {
  const parsed = argoApplicationSchema.safeParse(raw);
  if (!parsed.success) return skipped("Application", raw, parsed.error);
  const app = parsed.data;
  const namespace = app.metadata.namespace ?? "";
  const name = app.metadata.name;
  const base = { reconciler: "argocd" as const, cluster, namespace, name };
  const warnings: string[] = [];
  const rawHistory = app.status?.history ?? [];
  // The whole list at once when it is sound (the usual case, and the cheaper parse); entry by
  // entry only to find and skip the bad ones.
  const whole = historyList.safeParse(rawHistory);
  const history: HistoryEntry[] = whole.success ? whole.data : [];
  if (!whole.success) {
    for (const [i, raw] of rawHistory.entries()) {
      const entry = historyEntry.safeParse(raw);
      if (entry.success) history.push(entry.data);
      else
        warnings.push(`Application ${namespace}/${name}: status.history[${i}] skipped, ${describeIssue(entry.error)}`);
    }
  }
  const deployments: DeploymentRecord[] = history.map((h, i) => {
    const revisions = revisionsOf(h);
    const src = firstSource(h.source, h.sources);
    return {
      ...base,
      basis: "history",
      identity: revisionsAt(revisions, h.deployedAt),
      sourceRepo: src?.repoURL || null,
      sourcePath: src?.path ?? null,
      revisions,
      commit: firstCommit(revisions),
      startedAt: h.deployStartedAt ?? null,
      finishedAt: h.deployedAt,
      ...who(h.initiatedBy),
      outcome: "succeeded",
      rollback: false,
      evidence: `status.history[${i}] (id ${h.id})`,
      detail: { historyId: h.id },
    };
  });

  const op = app.status?.operationState;
  const outcome = op ? OUTCOME[op.phase] : undefined;
  // A dry run deploys nothing (Argo CD keeps it out of history too).
  if (op && outcome && op.finishedAt && op.operation?.sync?.dryRun !== true) {
    const sync = op.operation?.sync;
    const partial = sync?.resources?.length ?? 0;
    const revisions =
      revisionsOf(op.syncResult ?? {}).length > 0 ? revisionsOf(op.syncResult ?? {}) : revisionsOf(sync ?? {});
    // A rollback names the source it goes back to; an ordinary sync leaves it to the app's spec.
    const rollback =
      Boolean(sync?.source || (sync?.sources && sync.sources.length > 0)) && !op.operation?.initiatedBy?.automated;
    const src = firstSource(op.syncResult?.source ?? sync?.source, op.syncResult?.sources ?? sync?.sources);
    const sameAsHistory = deployments.find(
      (d) => d.startedAt === op.startedAt && d.revisions.join(",") === revisions.join(","),
    );
    if (outcome === "succeeded" && sameAsHistory) {
      // The history entry is the record; the operation adds whether it was a rollback, and who
      // started it when the entry does not say (entries before Argo CD 2.11 carry no initiatedBy).
      sameAsHistory.rollback = rollback;
      if (sameAsHistory.automated === null) Object.assign(sameAsHistory, who(op.operation?.initiatedBy));
    } else {
      deployments.push({
        ...base,
        basis: "operation",
        identity: revisionsAt(revisions, op.finishedAt),
        sourceRepo: src?.repoURL || null,
        sourcePath: src?.path ?? null,
        revisions,
        commit: firstCommit(revisions),
        startedAt: op.startedAt,
        finishedAt: op.finishedAt,
        ...who(op.operation?.initiatedBy),
        outcome,
        rollback,
        evidence: "status.operationState",
        // A partial sync applied only some resources: the evidence layer must not read it as whole.
        detail: { phase: op.phase, message: op.message ?? null, ...(partial > 0 ? { partialResources: partial } : {}) },
      });
    }
  }
  // A skipped entry leaves a hole in the ids that is not a loss: then judge by times, not ids.
  const seq = warnings.length > 0 ? { min: null, max: null } : minMax(history.map((h) => h.id));
  return {
    deployments,
    observation: {
      ...base,
      observedAt,
      entries: history.length,
      capacity: app.spec?.revisionHistoryLimit ?? DEFAULT_HISTORY_LIMIT,
      ...spanOf(history.map((h) => h.deployedAt)),
      seqMin: seq.min,
      seqMax: seq.max,
      state: argoState(app),
    },
    warnings,
  };
}
