import { describe, expect, it } from "vitest";
import { MalformedCommitError, parseIdent, parseRawCommit } from "../../../src/collectors/git/raw-commit.js";

const SHA = "a".repeat(40);
const TREE = "b".repeat(40);

/** A record as `git log --pretty=raw -z` prints it (headers, blank line, message indented by 4). */
function record(headers: string[], message: string): string {
  const body = message
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
  return `commit ${SHA}\n${headers.join("\n")}\n\n${body}\n`;
}

const base = [
  `tree ${TREE}`,
  `parent ${"c".repeat(40)}`,
  "author Alice Example <alice@example.com> 1751356800 +0200",
  "committer GitHub <noreply@github.com> 1751360400 +0000",
];

function signed(firstLine: string, key = "gpgsig"): string[] {
  return [...base, `${key} ${firstLine}`, " AAAA", " -----END-----"];
}

describe("parseRawCommit", () => {
  it("reads ids, parents, identities with their recorded time and zone", () => {
    const c = parseRawCommit(record([...base, `parent ${"d".repeat(40)}`], "Merge pull request #4 from x/y\n\nbody"));
    expect(c.sha).toBe(SHA);
    expect(c.tree).toBe(TREE);
    expect(c.parents).toEqual(["c".repeat(40), "d".repeat(40)]);
    expect(c.author).toEqual({ name: "Alice Example", email: "alice@example.com", time: 1751356800, tz: "+0200" });
    expect(c.committer.email).toBe("noreply@github.com");
    expect(c.subject).toBe("Merge pull request #4 from x/y");
    expect(c.message).toBe("Merge pull request #4 from x/y\n\nbody");
    expect(c.signature).toBeNull();
  });

  it("tells the signature kind from the raw header, without verifying it", () => {
    expect(parseRawCommit(record(signed("-----BEGIN PGP SIGNATURE-----"), "s")).signature).toBe("gpg");
    expect(parseRawCommit(record(signed("-----BEGIN SSH SIGNATURE-----"), "s")).signature).toBe("ssh");
    expect(parseRawCommit(record(signed("-----BEGIN SIGNED MESSAGE-----"), "s")).signature).toBe("x509");
    expect(parseRawCommit(record(signed("-----BEGIN SOMETHING ELSE-----"), "s")).signature).toBe("unknown");
    expect(parseRawCommit(record(signed("-----BEGIN PGP SIGNATURE-----", "gpgsig-sha256"), "s")).signature).toBe("gpg");
  });

  it("skips multi-line headers such as mergetag without taking their lines for fields", () => {
    const headers = [
      ...base,
      "mergetag object " + "e".repeat(40),
      " type commit",
      " tagger Mallory <m@x> 1 +0000",
      " ",
    ];
    const c = parseRawCommit(record(headers, "Merge tag v1"));
    expect(c.author.name).toBe("Alice Example");
    expect(c.parents).toHaveLength(1);
  });

  it("keeps hostile bytes in messages as data: separators, fake headers, fake commits", () => {
    const msg = "evil \x1e\x1f subject\n\ncommit ffffffffffffffffffffffffffffffffffffffff\nauthor Eve <eve@x> 0 +0000";
    const c = parseRawCommit(record(base, msg));
    expect(c.subject).toBe("evil \x1e\x1f subject");
    expect(c.author.name).toBe("Alice Example");
    expect(c.message).toContain("author Eve");
  });

  it("reads trailers from the last paragraph", () => {
    const c = parseRawCommit(
      record(base, "Fix\n\nBody text.\n\nCo-authored-by: Dave <dave@x>\nSigned-off-by: Alice <alice@example.com>"),
    );
    expect(c.trailers).toEqual([
      { key: "Co-authored-by", value: "Dave <dave@x>" },
      { key: "Signed-off-by", value: "Alice <alice@example.com>" },
    ]);
  });

  it("joins a multi-line first paragraph into the subject, as %s does", () => {
    expect(parseRawCommit(record(base, "first line\nsecond line\n\nbody")).subject).toBe("first line second line");
  });

  it("accepts an empty message", () => {
    const c = parseRawCommit(`commit ${SHA}\n${base.join("\n")}\n`);
    expect(c.message).toBe("");
    expect(c.subject).toBe("");
  });

  it("accepts SHA-256 object ids", () => {
    const sha256 = "f".repeat(64);
    expect(parseRawCommit(record(base, "x").replace(SHA, sha256)).sha).toBe(sha256);
  });

  it("refuses records that are not commits, naming what it saw", () => {
    expect(() => parseRawCommit("tree abc\n")).toThrow(MalformedCommitError);
    expect(() => parseRawCommit("commit not-a-sha\n")).toThrow(/bad commit id/);
    expect(() => parseRawCommit(`commit ${SHA}\ntree ${TREE}\n\n    x`)).toThrow(/no author/);
  });
});

describe("parseIdent", () => {
  it("survives malformed identities that real repositories contain", () => {
    expect(parseIdent("<> 0 +0000")).toEqual({ name: "", email: "", time: 0, tz: "+0000" });
    expect(parseIdent("No Email 1700000000 +0000")).toMatchObject({ name: "No Email 1700000000 +0000", email: "" });
    expect(parseIdent("A <a@x> notanumber +0000").time).toBe(0);
    expect(parseIdent("Weird <Name> <w@x> 5 -0130")).toMatchObject({ name: "Weird <Name>", email: "w@x", time: 5 });
  });
});
