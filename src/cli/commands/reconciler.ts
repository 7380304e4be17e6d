import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { DeploymentRecord, ReconcilerEventRecord } from "../../collectors/reconciler/deployment.js";
import { importExport, refuseUnknownClusters } from "../../collectors/reconciler/import.js";
import { exportRun } from "../../collectors/reconciler/ndjson.js";
import { configuredClusters } from "../../config/clusters.js";
import type { LoadedConfig } from "../../config/load.js";
import {
  ClusterError,
  CollectionIncompleteError,
  ConfigError,
  isChangeproofError,
  messageOf,
  UsageError,
} from "../../errors/index.js";
import type { Logger } from "../../log/logger.js";
import { openStore } from "../../store/db.js";
import { abandonDeadRuns, finishRun, getRun, startRun } from "../../store/ledger.js";
import { storeDeployments, storeEvents } from "../../store/reconciler-store.js";
import { openStoreLocked } from "../../store/writer-lock.js";
import { plural } from "../../util/plural.js";
import { registerSecret } from "../../util/redact.js";
import { oneLine } from "../../util/visible.js";

/** `changeproof import`: NDJSON exports of in-cluster runs into this store. */
export function importCommand(
  cfg: LoadedConfig,
  paths: readonly string[],
  log: Logger,
  now: () => Date,
  out: (l: string) => void,
  allowUnknownClusters = false,
): void {
  const known = allowUnknownClusters ? undefined : configuredClusters(cfg);
  const files: string[] = [];
  for (const p of paths) {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) throw new UsageError(`${p} does not exist`);
    if (st.isDirectory()) {
      files.push(
        ...readdirSync(p)
          .filter((f) => f.endsWith(".ndjson"))
          .sort()
          .map((f) => path.join(p, f)),
      );
    } else files.push(p);
  }
  if (files.length === 0) throw new UsageError(`no .ndjson files in ${paths.join(", ")}`);
  if (known) refuseUnknownClusters(files, known);
  const { db, lock } = openStoreLocked(cfg.database, "import", now(), (m) => log.error(m));
  const failures: string[] = [];
  try {
    abandonDeadRuns(db, now());
    const latestReads = new Map<string, string | null>();
    for (const file of files) {
      lock.assertHeld();
      try {
        const r = importExport(db, file, now, latestReads, known);
        if (r.runId === null) {
          out(`${file}: imported before (run ${r.earlierRunId}); nothing to do`);
          continue;
        }
        const c = r.counts;
        out(
          `${file}: cluster ${r.cluster}, run ${r.runId}${r.originFailed ? " (the exporting run FAILED)" : ""}: ` +
            `${plural(c.deploymentsAdded ?? 0, "new deployment record")} (${c.deploymentsRead ?? 0} read), ${plural(c.eventsAdded ?? 0, "new event")}` +
            `${r.gaps.length > 0 ? `; gaps: ${oneLine(r.gaps.join("; "), 2000)}` : ""}`,
        );
        if (r.originFailed) failures.push(`${file}: the run that wrote it failed`);
        if (r.outOfOrder) log.warn(`${file}: ${r.outOfOrder}`);
      } catch (e) {
        if (!(e instanceof ClusterError)) throw e;
        log.error(e.message, { code: e.code });
        failures.push(e.message);
      }
    }
  } finally {
    db.close();
    lock.release();
  }
  if (failures.length > 0) throw new CollectionIncompleteError(failures);
}

export interface ReceiveArgs {
  cluster: string;
  listen: string;
  path: string;
  hmacKeyEnv: string;
  tokenEnv: string | undefined;
  maxBodyBytes: number;
  /** Seal the receiver's run and open a new one this often, so the ledger never holds a day-long open run. */
  rollSeconds: number;
  /** Write each sealed run's events as NDJSON there, for `changeproof import` elsewhere. */
  exportDir: string | undefined;
}

function parseListen(listen: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:]+\]|[^:]+):(\d{1,5})$/.exec(listen);
  const port = Number(m?.[2]);
  if (!m || port > 65535) throw new UsageError(`--listen "${listen}" must be host:port, e.g. 0.0.0.0:9292`);
  return { host: (m[1] ?? "").replace(/^\[|\]$/g, ""), port };
}

/**
 * `changeproof receive flux`: notification-controller's generic(-hmac) webhook into the store.
 * Every accepted event is its own transaction (durable at once); deliveries are counted into a
 * run that is sealed every `rollSeconds` and when the process is told to stop.
 */
export async function receiveFlux(
  cfg: LoadedConfig,
  a: ReceiveArgs,
  env: NodeJS.ProcessEnv,
  log: Logger,
  now: () => Date,
  out: (l: string) => void,
  stopped: Promise<void>,
): Promise<void> {
  const { host, port } = parseListen(a.listen);
  const key = env[a.hmacKeyEnv];
  const token = a.tokenEnv ? env[a.tokenEnv] : undefined;
  if (a.tokenEnv && !token) throw new ConfigError(`--token-env: $${a.tokenEnv} is not set`);
  if (!key && !token) {
    throw new ConfigError(
      `--hmac-key-env: $${a.hmacKeyEnv} is not set; the receiver needs the generic-hmac Provider's key (or --token-env for a bearer token)`,
    );
  }
  if (key) registerSecret(key);
  if (token) registerSecret(token);
  const { startFluxReceiver } = await import("../../collectors/reconciler/flux-webhook.js");
  const db = openStore(cfg.database);
  let counts = { delivered: 0, stored: 0, duplicates: 0, deploymentsAdded: 0 };
  const open = () =>
    startRun(db, {
      source: "flux-webhook",
      scope: { cluster: a.cluster },
      parameters: { listen: a.listen, path: a.path, auth: key ? "hmac" : "bearer", maxBodyBytes: a.maxBodyBytes },
      now: now(),
    });
  abandonDeadRuns(db, now());
  let runId = open();
  // What this run stored, for its export: the receiver in the cluster has the only copy.
  let events: ReconcilerEventRecord[] = [];
  let deployments: DeploymentRecord[] = [];
  // Sealing, then exporting: a seal that fails (the store busy past its timeout) changes nothing
  // and is tried again at the next roll; an export that fails is said, and its events stay stored.
  const seal = () => {
    finishRun(db, runId, { status: "succeeded", counts, now: now() });
    if (a.exportDir && events.length > 0) {
      try {
        const run = getRun(db, runId);
        const written = run
          ? exportRun(
              a.exportDir,
              run,
              a.cluster,
              { status: "succeeded", error: null, counts, gaps: [] },
              { deployments, observations: [], events },
            )
          : null;
        // The receiver refuses (422) what an export could not carry, so this stays empty; said if not.
        for (const l of written?.leftOut ?? []) log.warn(l);
        if (written) out(`exported ${written.file}`);
      } catch (e) {
        log.error(`exporting run ${runId} failed; its events are in the store only: ${messageOf(e)}`);
      }
    }
    counts = { delivered: 0, stored: 0, duplicates: 0, deploymentsAdded: 0 };
    events = [];
    deployments = [];
  };
  // In a timer, a throw would end the process: a roll that fails is logged and tried again.
  let sealed = false;
  const roll = setInterval(() => {
    try {
      if (!sealed) seal();
      sealed = true;
      runId = open();
      sealed = false;
    } catch (e) {
      log.error(`sealing the receiver's run ${runId} failed; trying again at the next roll: ${messageOf(e)}`);
    }
  }, a.rollSeconds * 1000);
  let receiver: Awaited<ReturnType<typeof startFluxReceiver>> | undefined;
  try {
    receiver = await startFluxReceiver({
      host,
      port,
      path: a.path,
      cluster: a.cluster,
      maxBodyBytes: a.maxBodyBytes,
      ...(key ? { hmacKey: Buffer.from(key, "utf8") } : {}),
      ...(token ? { bearerToken: token } : {}),
      log,
      accept: ({ event, deployment }) => {
        counts.delivered++;
        const stored = db
          .transaction(() => {
            if (storeEvents(db, runId, [event]).added === 0) return false;
            if (deployment) counts.deploymentsAdded += storeDeployments(db, runId, [deployment]).added;
            return true;
          })
          .immediate();
        if (stored) {
          events.push(event);
          if (deployment) deployments.push(deployment);
        }
        counts[stored ? "stored" : "duplicates"]++;
        return stored ? "stored" : "duplicate";
      },
    });
    out(`listening on ${receiver.url} for cluster ${a.cluster} (run ${runId})`);
    log.info("receiving Flux events", { url: receiver.url, cluster: a.cluster });
    await stopped;
  } catch (e) {
    if (isChangeproofError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || code === "EACCES" || code === "EADDRNOTAVAIL") {
      throw new UsageError(`--listen ${a.listen}: cannot listen there (${code})`, { cause: e });
    }
    throw e;
  } finally {
    clearInterval(roll);
    await receiver?.close();
    if (!sealed) seal();
    db.close();
  }
  out(`stopped; run ${runId} sealed`);
}
