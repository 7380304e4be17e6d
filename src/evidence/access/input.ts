import type { Period } from "../../period.js";
import type { AccessHistory } from "./snapshots.js";

/** A tracked repository as access review sees it: its GitHub name and its protected branches. */
export interface TrackedRepo {
  /** owner/name on GitHub. */
  github: string;
  role: "app" | "gitops";
  /** The protected branches the git collector tracks. */
  branches: string[];
}

/** What the access rules (A1-A4) judge: the period, every snapshot, and the tracked repositories. */
export interface AccessInput {
  period: Period;
  history: AccessHistory;
  repos: readonly TrackedRepo[];
}

/** The evidence item naming a snapshot, so an auditor can find it in coverage.json and the store. */
export const snapshotEvidence = (label: string, s: { id: number; takenAt: string }) => ({
  label,
  value: `snapshot ${s.id} taken at ${s.takenAt}`,
});
