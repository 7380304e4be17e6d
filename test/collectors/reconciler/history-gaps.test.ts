import { describe, expect, it } from "vitest";
import type { HistoryObservation } from "../../../src/collectors/reconciler/deployment.js";
import {
  describeGap,
  type HistoryGap,
  historyGaps,
  STILL_OPEN,
} from "../../../src/collectors/reconciler/history-gaps.js";

const argo = (
  observedAt: string,
  ids: [number, number],
  horizon: string,
  capacity = 10,
  newest = horizon,
): HistoryObservation => ({
  reconciler: "argocd",
  cluster: "prod",
  namespace: "argocd",
  name: "payments",
  observedAt,
  entries: ids[1] - ids[0] + 1,
  capacity,
  horizon,
  newest,
  seqMin: ids[0],
  seqMax: ids[1],
  state: null,
});

const kustomization = (observedAt: string, entries: number, horizon: string): HistoryObservation => ({
  reconciler: "flux-kustomization",
  cluster: "prod",
  namespace: "flux-system",
  name: "apps",
  observedAt,
  entries,
  capacity: 5,
  horizon,
  newest: horizon,
  seqMin: null,
  seqMax: null,
  state: null,
});

describe("historyGaps", () => {
  it("finds nothing when each read still overlaps the one before", () => {
    expect(
      historyGaps([
        argo("2026-07-02T00:00:00.000Z", [0, 4], "2026-07-01T00:00:00Z"),
        argo("2026-07-03T00:00:00.000Z", [5, 14], "2026-07-02T01:00:00Z"),
      ]),
    ).toEqual([]);
  });

  it("counts the Argo CD history ids dropped between two reads, in whatever order the reads come", () => {
    const gaps = historyGaps([
      argo("2026-07-03T00:00:00.000Z", [3, 12], "2026-07-02T01:00:00Z"),
      argo("2026-07-02T00:00:00.000Z", [0, 4], "2026-07-01T00:00:00Z"),
    ]);
    expect(gaps).toEqual([]);
    const lost = historyGaps([
      argo("2026-07-02T00:00:00.000Z", [0, 4], "2026-07-01T00:00:00Z", 10, "2026-07-01T20:00:00Z"),
      argo("2026-07-09T00:00:00.000Z", [8, 17], "2026-07-05T00:00:00Z"),
    ]);
    // Lost entries are newer than the newest one the previous read saw.
    expect(lost).toMatchObject([{ kind: "missed", lost: 3, after: "2026-07-01T20:00:00Z" }]);
    expect(describeGap(lost[0] as (typeof lost)[0])).toBe(
      "argocd prod/argocd/payments: 3 history entries were dropped by the cluster before the read at 2026-07-09T00:00:00.000Z (deployed between 2026-07-01T20:00:00Z and 2026-07-05T00:00:00Z); collect more often",
    );
  });

  it("says a full history that begins after the previous read may have lost entries (no ids)", () => {
    const gaps = historyGaps([
      kustomization("2026-07-02T00:00:00.000Z", 3, "2026-07-01T00:00:00Z"),
      kustomization("2026-07-09T00:00:00.000Z", 5, "2026-07-04T00:00:00Z"),
    ]);
    expect(gaps).toMatchObject([{ kind: "possibly-missed", before: "2026-07-04T00:00:00Z", lost: null }]);
    // Not full: nothing was evicted.
    expect(
      historyGaps([
        kustomization("2026-07-02T00:00:00.000Z", 3, "2026-07-01T00:00:00Z"),
        kustomization("2026-07-09T00:00:00.000Z", 4, "2026-07-04T00:00:00Z"),
      ]),
    ).toEqual([]);
  });

  it("judges a Kustomization in its history's own clock, with reads months after its times", () => {
    // Read in December (an export imported late, or a cluster whose clock is apart): the history's
    // own times are July's. The previous read's newest entry is 1 July; the next full history's
    // oldest is 4 July: every entry was replaced since, and ones in between may be lost.
    const lateRead = (observedAt: string, horizon: string, newest: string): HistoryObservation => ({
      ...kustomization(observedAt, 5, horizon),
      newest,
    });
    const prev = lateRead("2026-12-01T00:00:00.000Z", "2026-06-20T00:00:00Z", "2026-07-01T00:00:00Z");
    const replaced = lateRead("2026-12-08T00:00:00.000Z", "2026-07-04T00:00:00Z", "2026-07-09T00:00:00Z");
    // (The first read, already full, cannot know what came before it: said apart.)
    const between = (list: HistoryObservation[]) =>
      historyGaps(list).filter((g) => g.kind !== "before-first-collection");
    const gaps = between([prev, replaced]);
    expect(gaps).toMatchObject([
      { kind: "possibly-missed", after: "2026-07-01T00:00:00Z", before: "2026-07-04T00:00:00Z", lost: null },
    ]);
    expect(describeGap(gaps[0] as HistoryGap)).toContain(
      "its oldest entry (2026-07-04T00:00:00Z) is newer than the newest one the previous read saw (2026-07-01T00:00:00Z)",
    );
    // Still holding an entry the previous read saw unchanged (reconciled 1 July or before): nothing
    // was evicted past it, however late the reads.
    const kept = lateRead("2026-12-08T00:00:00.000Z", "2026-06-28T00:00:00Z", "2026-07-09T00:00:00Z");
    expect(between([prev, kept])).toEqual([]);
    // A previous read that saw no entry: a full history since may have dropped some.
    const empty: HistoryObservation = {
      ...kustomization("2026-12-01T00:00:00.000Z", 0, "2026-06-20T00:00:00Z"),
      horizon: null,
      newest: null,
    };
    expect(between([empty, replaced])).toMatchObject([{ kind: "possibly-missed", before: "2026-07-04T00:00:00Z" }]);
  });

  it("says what the first read of an already full history cannot know (no ids: a Kustomization)", () => {
    const gaps = historyGaps([kustomization("2026-07-09T00:00:00.000Z", 5, "2026-07-05T00:00:00Z")]);
    expect(gaps).toMatchObject([
      { kind: "before-first-collection", before: "2026-07-05T00:00:00Z", after: null, lost: null },
    ]);
    expect(historyGaps([kustomization("2026-07-09T00:00:00.000Z", 4, "2026-07-05T00:00:00Z")])).toEqual([]);
  });

  it("falls back to times when the ids went backwards (the application was recreated)", () => {
    expect(
      historyGaps([
        argo("2026-07-02T00:00:00.000Z", [30, 34], "2026-07-01T00:00:00Z"),
        argo("2026-07-09T00:00:00.000Z", [0, 2], "2026-07-05T00:00:00Z"),
      ]),
    ).toEqual([
      expect.objectContaining({ kind: "before-first-collection", lost: 30, foundAt: "2026-07-02T00:00:00.000Z" }),
    ]);
  });

  it("counts exactly what came before a numbered history's first read", () => {
    const first = historyGaps([argo("2026-07-09T00:00:00.000Z", [20, 29], "2026-07-05T00:00:00Z")]);
    expect(first).toMatchObject([{ kind: "before-first-collection", lost: 20, before: "2026-07-05T00:00:00Z" }]);
    expect(describeGap(first[0] as (typeof first)[0])).toMatch(
      /: 20 history entries were gone already at the first read/,
    );
    expect(historyGaps([argo("2026-07-09T00:00:00.000Z", [0, 9], "2026-07-05T00:00:00Z")])).toEqual([]);
  });
});

describe("targets that keep no history", () => {
  it("say so once, at their first read, and never per read", () => {
    const read = (observedAt: string, state: string): HistoryObservation => ({
      reconciler: "flux-kustomization",
      cluster: "prod",
      namespace: "flux-system",
      name: "legacy",
      observedAt,
      entries: 1,
      capacity: 0,
      horizon: null,
      newest: null,
      seqMin: null,
      seqMax: null,
      state,
    });
    const gaps = historyGaps([
      read("2026-07-02T00:00:00.000Z", "applied main@sha1:a"),
      read("2026-07-09T00:00:00.000Z", "applied main@sha1:b"),
    ]);
    // Open until a read shows the target keeping history.
    expect(gaps).toEqual([
      expect.objectContaining({ kind: "no-history", after: "2026-07-02T00:00:00.000Z", before: STILL_OPEN }),
    ]);
    const upgraded = historyGaps([
      read("2026-07-02T00:00:00.000Z", "applied main@sha1:a"),
      { ...read("2026-08-01T00:00:00.000Z", "Ready True"), capacity: 5, entries: 1, horizon: "2026-07-31T00:00:00Z" },
    ]);
    expect(upgraded).toEqual([expect.objectContaining({ kind: "no-history", before: "2026-08-01T00:00:00.000Z" })]);
    expect(describeGap(gaps[0] as (typeof gaps)[0])).toMatch(
      /^flux-kustomization prod\/flux-system\/legacy: keeps no deployment history/,
    );
  });
});
