import { describe, expect, it } from "vitest";
import { displayUrl, redact, registerSecret } from "../../src/util/redact.js";

describe("redact", () => {
  it("drops credentials from URLs, whatever the scheme", () => {
    expect(displayUrl("https://x-access-token:s3cr3t@github.com/acme/app.git")).toBe(
      "https://***@github.com/acme/app.git",
    );
    expect(redact("fatal: unable to access 'https://ghuser:pw@example.com/r.git/': 403")).toBe(
      "fatal: unable to access 'https://***@example.com/r.git/': 403",
    );
    expect(displayUrl("git@github.com:acme/app.git")).toBe("git@github.com:acme/app.git");
  });

  it("masks GitHub tokens and bearer credentials in free text", () => {
    const token = `ghp_${"a1B2".repeat(9)}`;
    expect(redact(`token is ${token}`)).toBe("token is ghp_***");
    expect(redact(`Authorization: Bearer ${"x".repeat(30)}`)).toBe("Authorization: Bear***");
    expect(redact(`github_pat_${"Z9".repeat(15)} leaked`)).toBe("gith*** leaked");
  });
});

describe("registerSecret", () => {
  it("masks a registered secret of any shape wherever it appears, and ignores values too short to be one", () => {
    registerSecret("s3cr3t-enterprise-token");
    registerSecret("short");
    expect(redact("GHES said: bad token s3cr3t-enterprise-token (twice: s3cr3t-enterprise-token)")).toBe(
      "GHES said: bad token *** (twice: ***)",
    );
    expect(redact("a short word")).toBe("a short word");
  });
});
