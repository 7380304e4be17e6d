/**
 * The revision a reconciler says it applied, in the forms Flux and Argo CD write it:
 *   Flux (source-controller 1.0+): `<ref>@<algo>:<digest>`, e.g. `main@sha1:<40 hex>`,
 *     `v1.2.0@sha1:...`, `refs/pull/4/head@sha1:...`, `latest@sha256:<64 hex>` (OCI), or
 *     `sha1:<hex>` without a ref;
 *   Flux before 1.0 (legacy): `<ref>/<40 hex>`, e.g. `main/<sha>`;
 *   Argo CD: a bare commit id for git sources, a chart version for Helm sources.
 * Anything else (a chart version such as `1.4.2`) is kept as it is: never guessed into a commit.
 */

export type RevisionKind = "git" | "oci" | "other";

export interface Revision {
  /** As the reconciler wrote it. */
  raw: string;
  kind: RevisionKind;
  /** Branch, tag or ref name, when the revision carries one. */
  ref: string | null;
  /** The git commit id (lower case) for git revisions. */
  commit: string | null;
  /** The OCI digest (`sha256:...`) for OCI artifacts. */
  digest: string | null;
}

const GIT_ID = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
const DIGEST = /^(sha1|sha256|sha384|sha512|blake3):([0-9a-f]+)$/;

export function parseRevision(value: string): Revision {
  const raw = value;
  const v = value.trim();
  const other: Revision = { raw, kind: "other", ref: null, commit: null, digest: null };
  if (v === "") return other;
  // `<ref>@<algo>:<digest>`: the ref may itself contain '@' (rare); the digest part never does.
  const at = v.lastIndexOf("@");
  const ref = at > 0 ? v.slice(0, at) : null;
  const tail = at >= 0 ? v.slice(at + 1) : v;
  const m = DIGEST.exec(tail.toLowerCase());
  if (m) {
    const [, algo = "", hex = ""] = m;
    if (algo === "sha1" && GIT_ID.test(hex)) return { raw, kind: "git", ref, commit: hex, digest: null };
    // sha256 is both git's new object format (64 hex) and OCI's digest: a ref tells them apart
    // no better than the source kind does, so a 64-hex sha256 without a git hint is an OCI digest.
    return { raw, kind: "oci", ref, commit: null, digest: `${algo}:${hex}` };
  }
  // Legacy Flux: `<ref>/<sha>`.
  const slash = v.lastIndexOf("/");
  if (slash > 0) {
    const id = v.slice(slash + 1).toLowerCase();
    if (GIT_ID.test(id)) return { raw, kind: "git", ref: v.slice(0, slash), commit: id, digest: null };
  }
  // Argo CD and Flux v1: a bare commit id.
  if (GIT_ID.test(v.toLowerCase())) return { raw, kind: "git", ref: null, commit: v.toLowerCase(), digest: null };
  return other;
}

/** The git commit of the first revision that is one, lower case; null when none is. */
export function firstCommit(revisions: readonly string[]): string | null {
  for (const r of revisions) {
    const c = parseRevision(r).commit;
    if (c) return c;
  }
  return null;
}
