/**
 * Deterministic identifiers and time formats for the fake cluster: uids, resourceVersions, git SHAs
 * and digests are all derived from a seed with a hash, so two builds of the same case are equal.
 */

import { createHash, randomUUID } from "node:crypto";

function sha256Hex(seed: string): string {
  return createHash("sha256").update(seed, "utf8").digest("hex");
}

/** A UUID (version 4 layout, as Kubernetes hands out) derived from the seed. */
export function fakeUid(seed: string): string {
  const h = sha256Hex(`uid:${seed}`);
  const variant = ((Number.parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A git commit SHA-1 (40 hex) derived from the seed. */
export function fakeSha(seed: string): string {
  return sha256Hex(`sha:${seed}`).slice(0, 40);
}

/** `sha256:<64 hex>` derived from the seed. */
export function fakeDigest(seed: string): string {
  return `sha256:${sha256Hex(`digest:${seed}`)}`;
}

/** A resourceVersion-like decimal string (6 to 8 digits) derived from the seed. */
export function fakeResourceVersion(seed: string): string {
  const n = Number.parseInt(sha256Hex(`rv:${seed}`).slice(0, 8), 16);
  return String(100_000 + (n % 9_900_000));
}

/** A random id for headers such as Audit-Id (not part of any object). */
export function requestId(): string {
  return randomUUID();
}

/**
 * metav1.Time as Go serializes it: RFC 3339 in UTC, second precision (`2026-07-14T09:10:31Z`).
 * Accepts a Date or any string Date can parse; throws on an invalid time (a test bug).
 */
export function kubeTime(t: string | Date): string {
  const d = typeof t === "string" ? new Date(t) : t;
  if (Number.isNaN(d.getTime())) throw new Error(`invalid time: ${String(t)}`);
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** metav1.MicroTime: RFC 3339 with microseconds (`2026-07-14T09:10:31.123000Z`). */
export function kubeMicroTime(t: string | Date): string {
  const d = typeof t === "string" ? new Date(t) : t;
  if (Number.isNaN(d.getTime())) throw new Error(`invalid time: ${String(t)}`);
  return `${d.toISOString().slice(0, 23)}000Z`;
}

/** The hex UnixNano suffix client-go and Argo CD give event names (`<object>.<hex>`). */
export function eventNameSuffix(t: string | Date): string {
  const d = typeof t === "string" ? new Date(t) : t;
  return (BigInt(d.getTime()) * 1_000_000n).toString(16);
}
