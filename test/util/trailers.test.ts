import { describe, expect, it } from "vitest";
import { parseIdentity } from "../../src/util/identity.js";
import { parseTrailers } from "../../src/util/trailers.js";

describe("parseTrailers", () => {
  it("needs a blank line before the block: a subject alone has none", () => {
    expect(parseTrailers("Signed-off-by: A <a@x>")).toEqual([]);
  });
  it("takes a block of only trailers", () => {
    expect(parseTrailers("S\n\nReviewed-by: R <r@x>\nCo-authored-by: C <c@x>")).toHaveLength(2);
  });
  it("folds continuation lines into the previous trailer", () => {
    expect(parseTrailers("S\n\nCo-authored-by: Long\n  Name <l@x>")).toEqual([
      { key: "Co-authored-by", value: "Long Name <l@x>" },
    ]);
  });
  it("ignores a prose paragraph that merely contains colons", () => {
    expect(parseTrailers("S\n\nNote: this is prose.\nIt goes on without a key.\nAnd on.")).toEqual([]);
  });
  it("accepts a mixed block when git generated part of it and a quarter are trailers", () => {
    const t = parseTrailers("S\n\nSome words here\nSigned-off-by: A <a@x>\n(cherry picked from commit abc123)");
    expect(t).toEqual([{ key: "Signed-off-by", value: "A <a@x>" }]);
  });
  it("reads only the last paragraph", () => {
    expect(parseTrailers("S\n\nCo-authored-by: Old <o@x>\n\nFinal words.")).toEqual([]);
  });
});

describe("parseIdentity", () => {
  it("splits Name <email>", () => {
    expect(parseIdentity("Dave Example <dave@example.com>")).toEqual({
      name: "Dave Example",
      email: "dave@example.com",
    });
    expect(parseIdentity("no email here")).toBeUndefined();
  });

  it("takes the email from the last <…> the value ends with: an email holding '>' stays whole, markup in the name stays the name", () => {
    expect(parseIdentity("Dave <dave>x@contractor.example>")).toEqual({
      name: "Dave",
      email: "dave>x@contractor.example",
    });
    expect(parseIdentity("<script>x</script> <co@evil.example>")).toEqual({
      name: "<script>x</script>",
      email: "co@evil.example",
    });
    expect(parseIdentity("Trailing <t@acme.example> text")).toBeUndefined();
  });
});
