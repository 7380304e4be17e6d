import { describe, expect, it } from "vitest";
import { parseRevision } from "../../../src/collectors/reconciler/revision.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const SHA256 = "a".repeat(64);

describe("parseRevision", () => {
  it.each([
    [`main@sha1:${SHA}`, { kind: "git", ref: "main", commit: SHA }],
    [`v1.2.0@sha1:${SHA}`, { kind: "git", ref: "v1.2.0", commit: SHA }],
    [`refs/pull/4/head@sha1:${SHA}`, { kind: "git", ref: "refs/pull/4/head", commit: SHA }],
    [`sha1:${SHA}`, { kind: "git", ref: null, commit: SHA }],
    [`main/${SHA}`, { kind: "git", ref: "main", commit: SHA }],
    [`release/1.3/${SHA}`, { kind: "git", ref: "release/1.3", commit: SHA }],
    [SHA, { kind: "git", ref: null, commit: SHA }],
    [SHA.toUpperCase(), { kind: "git", ref: null, commit: SHA }],
  ])("reads the commit of %s", (raw, expected) => {
    expect(parseRevision(raw)).toMatchObject({ raw, digest: null, ...expected });
  });

  it("reads an OCI artifact's digest, with or without a tag", () => {
    expect(parseRevision(`latest@sha256:${SHA256}`)).toEqual({
      raw: `latest@sha256:${SHA256}`,
      kind: "oci",
      ref: "latest",
      commit: null,
      digest: `sha256:${SHA256}`,
    });
    expect(parseRevision(`sha256:${SHA256}`)).toMatchObject({ kind: "oci", ref: null, digest: `sha256:${SHA256}` });
  });

  it.each(["1.4.2", "", "   ", "main", "main@sha1:xyz", `main/${SHA.slice(0, 39)}`, "HEAD"])(
    "never guesses a commit out of %j",
    (raw) => {
      expect(parseRevision(raw)).toEqual({ raw, kind: "other", ref: null, commit: null, digest: null });
    },
  );
});
