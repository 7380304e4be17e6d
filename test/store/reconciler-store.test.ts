import path from "node:path";
import { describe, expect, it } from "vitest";
import type {
  DeploymentRecord,
  HistoryObservation,
  ReconcilerEventRecord,
} from "../../src/collectors/reconciler/deployment.js";
import { type DB, openStore } from "../../src/store/db.js";
import {
  readDeployments,
  readObservations,
  storeDeployments,
  storeEvents,
  storeObservations,
} from "../../src/store/reconciler-store.js";
import { tempDir } from "../helpers/tmp.js";

const dir = tempDir("changeproof-reconciler-store-");
let n = 0;
const freshStore = (): DB => openStore(path.join(dir, `r-${++n}.db`));

const A = "1e65e80b456d369aa7fdf8d48d3e5689b4fe9a83";
const B = "4e288d8adece219baf58488ffa1cf94402b1530d";

/** A Kustomization history entry as Flux shows it: revision and last time move in place. */
function fluxEntry(revision: string, lastReconciled: string, total: number): DeploymentRecord {
  return {
    reconciler: "flux-kustomization",
    cluster: "prod",
    namespace: "flux-system",
    name: "apps",
    basis: "history",
    identity: "sha256:43ad|ReconciliationSucceeded|2026-07-01T10:00:00Z",
    sourceRepo: "https://github.com/acme/gitops",
    sourcePath: "./apps/prod",
    revisions: [`main@sha1:${revision}`],
    commit: revision,
    startedAt: "2026-07-01T10:00:00Z",
    finishedAt: lastReconciled,
    initiatedBy: null,
    automated: true,
    outcome: "succeeded",
    rollback: false,
    evidence: "status.history[0]",
    detail: { digest: "sha256:43ad", totalReconciliations: total },
  };
}

const argoEntry = (revision: string, at: string, rollback = false): DeploymentRecord => ({
  ...fluxEntry(revision, at, 1),
  reconciler: "argocd",
  namespace: "argocd",
  name: "payments",
  identity: `${revision}@${at}`,
  revisions: [revision],
  rollback,
  detail: {},
});

describe("storeDeployments", () => {
  it("keeps one row per deployment however often it is seen, and adds nothing on an identical run", () => {
    const db = freshStore();
    const batch = [argoEntry(A, "2026-07-01T10:00:00Z"), argoEntry(B, "2026-07-02T10:00:00Z")];
    expect(storeDeployments(db, 1, batch)).toEqual({ added: 2, updated: 0 });
    expect(storeDeployments(db, 2, batch)).toEqual({ added: 0, updated: 0 });
    expect(readDeployments(db)).toHaveLength(2);
  });

  it("updates a Flux entry whose revision and time moved in place, and keeps every revision it showed", () => {
    const db = freshStore();
    storeDeployments(db, 1, [fluxEntry(A, "2026-07-01T10:00:00Z", 1)]);
    expect(storeDeployments(db, 2, [fluxEntry(B, "2026-07-03T10:00:00Z", 7)])).toEqual({ added: 0, updated: 1 });
    const [row] = readDeployments(db);
    expect(row).toMatchObject({ commit: B, finishedAt: "2026-07-03T10:00:00Z", detail: { totalReconciliations: 7 } });
    const revisions = db
      .prepare("SELECT revision, commit_oid, first_run_id FROM deployment_revisions ORDER BY first_run_id")
      .all();
    expect(revisions).toEqual([
      { revision: `main@sha1:${A}`, commit_oid: A, first_run_id: 1 },
      { revision: `main@sha1:${B}`, commit_oid: B, first_run_id: 2 },
    ]);
  });

  it("never moves a record back: an older sighting and a forgotten rollback flag change nothing", () => {
    const db = freshStore();
    storeDeployments(db, 1, [argoEntry(A, "2026-07-01T10:00:00Z", true)]);
    expect(storeDeployments(db, 2, [argoEntry(A, "2026-07-01T10:00:00Z", false)])).toEqual({ added: 0, updated: 0 });
    expect(readDeployments(db)[0]?.rollback).toBe(true);
  });

  it("keeps the first sighting of a status record", () => {
    const db = freshStore();
    const first = { ...argoEntry(A, "2026-07-01T10:00:00Z"), basis: "status" as const, identity: `applied|${A}` };
    storeDeployments(db, 1, [first]);
    expect(storeDeployments(db, 2, [{ ...first, finishedAt: "2026-07-09T00:00:00Z" }])).toEqual({
      added: 0,
      updated: 0,
    });
    expect(readDeployments(db)[0]?.finishedAt).toBe("2026-07-01T10:00:00Z");
  });
});

describe("storeDeployments: states and late reads", () => {
  const applied = (revision: string, at: string): DeploymentRecord => ({
    ...fluxEntry(revision, at, 1),
    basis: "status",
    identity: `applied|main@sha1:${revision}|${at}`,
    startedAt: null,
    detail: { observedAt: at },
  });

  it("keeps a status record per change of the applied revision, not per read: A, B, then A again are three", () => {
    const db = freshStore();
    expect(storeDeployments(db, 1, [applied(A, "2026-07-01T00:00:00Z")]).added).toBe(1);
    expect(storeDeployments(db, 2, [applied(A, "2026-07-01T00:15:00Z")]).added).toBe(0);
    expect(storeDeployments(db, 3, [applied(B, "2026-07-01T00:30:00Z")]).added).toBe(1);
    expect(storeDeployments(db, 4, [applied(A, "2026-07-01T00:45:00Z")]).added).toBe(1);
    expect(readDeployments(db).map((d) => [d.commit, d.finishedAt])).toEqual([
      [A, "2026-07-01T00:00:00Z"],
      [B, "2026-07-01T00:30:00Z"],
      [A, "2026-07-01T00:45:00Z"],
    ]);
  });

  it("keeps one event-based record while a reconcile of the same revision repeats", () => {
    const db = freshStore();
    const event = (revision: string, at: string): DeploymentRecord => ({
      ...fluxEntry(revision, at, 1),
      basis: "event",
      identity: `ReconciliationSucceeded|main@sha1:${revision}|${at}`,
    });
    const every10min = ["00", "10", "20", "30"].map((m) => event(A, `2026-07-01T00:${m}:00Z`));
    expect(storeDeployments(db, 1, every10min).added).toBe(1);
    expect(storeDeployments(db, 2, [event(B, "2026-07-01T00:40:00Z")]).added).toBe(1);
  });

  it("keeps every failed Argo CD sync its events report, and a rollback to the revision before as a state of its own", () => {
    const db = freshStore();
    const argoFailed = (at: string, user: string): DeploymentRecord => ({
      ...argoEntry(A, at),
      basis: "event",
      identity: `OperationCompleted|${A}|${at}`,
      outcome: "failed",
      initiatedBy: user,
      automated: false,
    });
    expect(
      storeDeployments(db, 1, [argoFailed("2026-07-01T10:00:00Z", "alice"), argoFailed("2026-07-01T11:00:00Z", "bob")])
        .added,
    ).toBe(2);
    const helm = (revision: string, at: string, rollback: boolean): DeploymentRecord => ({
      ...fluxEntry(revision, at, 1),
      reconciler: "flux-helmrelease",
      basis: "event",
      identity: `${rollback ? "RollbackSucceeded" : "UpgradeSucceeded"}|${revision}|${at}`,
      rollback,
    });
    expect(
      storeDeployments(db, 2, [helm(A, "2026-07-02T00:00:00Z", false), helm(A, "2026-07-03T00:00:00Z", true)]).added,
    ).toBe(2);
  });

  it("an older read imported late never moves a record back, but its revision is kept", () => {
    const db = freshStore();
    storeDeployments(db, 1, [fluxEntry(B, "2026-07-03T10:00:00Z", 7)]);
    expect(storeDeployments(db, 2, [fluxEntry(A, "2026-07-02T10:00:00Z", 3)])).toEqual({ added: 0, updated: 0 });
    expect(readDeployments(db)[0]).toMatchObject({ commit: B, finishedAt: "2026-07-03T10:00:00Z" });
    expect(db.prepare("SELECT count(*) FROM deployment_revisions").pluck().get()).toBe(2);
  });
});

describe("storeEvents and storeObservations", () => {
  const event: ReconcilerEventRecord = {
    cluster: "prod",
    via: "api",
    key: "uid-1",
    kind: "Kustomization",
    namespace: "flux-system",
    name: "apps",
    reason: "ReconciliationSucceeded",
    severity: "Normal",
    message: "Reconciliation finished",
    revision: `main@sha1:${A}`,
    controller: "kustomize-controller",
    firstAt: "2026-07-01T10:00:00Z",
    lastAt: "2026-07-01T10:00:00Z",
    count: 1,
  };

  it("stores an event once, and moves an aggregated event's count and last time", () => {
    const db = freshStore();
    expect(storeEvents(db, 1, [event, event])).toEqual({ added: 1, updated: 0 });
    expect(storeEvents(db, 2, [{ ...event, count: 3, lastAt: "2026-07-01T11:00:00Z" }])).toEqual({
      added: 0,
      updated: 1,
    });
    expect(db.prepare("SELECT count, last_at FROM reconciler_events").get()).toEqual({
      count: 3,
      last_at: "2026-07-01T11:00:00Z",
    });
  });

  it("keeps one row per state of a target's history: unchanged reads only move its last-seen time", () => {
    const db = freshStore();
    const o: HistoryObservation = {
      reconciler: "argocd",
      cluster: "prod",
      namespace: "argocd",
      name: "payments",
      observedAt: "2026-07-05T00:00:00.000Z",
      entries: 10,
      capacity: 10,
      horizon: "2026-07-01T00:00:00Z",
      newest: "2026-07-04T00:00:00Z",
      seqMin: 3,
      seqMax: 12,
      state: "Synced to 4e28; Healthy",
    };
    expect(storeObservations(db, 1, [o, o])).toEqual([{ observation: o, previous: null }]);
    const later = { ...o, observedAt: "2026-07-05T00:15:00.000Z" };
    expect(storeObservations(db, 2, [later])).toEqual([]);
    expect(readObservations(db)).toEqual([{ ...o, seenUntil: later.observedAt }]);
    const moved = {
      ...o,
      observedAt: "2026-07-05T00:30:00.000Z",
      seqMin: 4,
      seqMax: 13,
      newest: "2026-07-05T00:20:00Z",
    };
    expect(storeObservations(db, 3, [moved])).toEqual([
      { observation: moved, previous: { ...o, seenUntil: later.observedAt } },
    ]);
    expect(readObservations(db)).toHaveLength(2);
    expect(readObservations(db, "staging")).toEqual([]);
  });
});
