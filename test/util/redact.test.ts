import { describe, expect, it } from "vitest";
import { displayUrl, redact, registerSecret } from "../../src/util/redact.js";
import { jsonLine, oneLine } from "../../src/util/visible.js";

describe("redact", () => {
  it("drops credentials from URLs, whatever the scheme", () => {
    expect(displayUrl("https://x-access-token:s3cr3t@github.com/acme/app.git")).toBe(
      "https://***@github.com/acme/app.git",
    );
    expect(redact("fatal: unable to access 'https://ghuser:pw@example.com/r.git/': 403")).toBe(
      "fatal: unable to access 'https://***@example.com/r.git/': 403",
    );
    expect(displayUrl("git@github.com:acme/app.git")).toBe("git@github.com:acme/app.git");
    // A URL in one JSON field is not read as running on to an "@" in the next one.
    const json = '{"url":"https://argocd.acme.example","initiatedBy":"ops@acme.example"}';
    expect(redact(json)).toBe(json);
  });

  it("masks GitHub tokens and bearer credentials in free text", () => {
    const token = `ghp_${"a1B2".repeat(9)}`;
    expect(redact(`token is ${token}`)).toBe("token is ghp_***");
    expect(redact(`Authorization: Bearer ${"x".repeat(30)}`)).toBe("Authorization: Bearer ***");
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

describe("masking before capping", () => {
  it("masks a registered token that a one-line cap would cut in two, leaving no prefix of it", () => {
    const token = `eyJhbGciOiJSUzI1NiJ9.${"q".repeat(400)}.sig`;
    registerSecret(token);
    const line = oneLine(`HTTP 500: proxy said: Authorization: Bearer ${token}`, 100);
    expect(line).toBe("HTTP 500: proxy said: Authorization: Bearer ***");
    expect(line).not.toContain("eyJhbGci");
  });

  it("masks a short credential after Bearer, and leaves the scheme", () => {
    expect(redact("authorization: Bearer s3cr3t-x")).toBe("authorization: Bearer ***");
    expect(redact("a Bearer token")).toBe("a Bearer token");
  });
});

describe("jsonLine", () => {
  it("escapes what JSON.stringify leaves raw (DEL, C1, bidi overrides, line separators) and parses back the same", () => {
    const value = { msg: "pay\u001b]0;x\u0007ments\u202egnp.exe\u0085\u2028\u007f" };
    const line = jsonLine(value);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028-\u202e]/);
    expect(line).toContain("\\u202e");
    expect(JSON.parse(line)).toEqual(value);
  });
});
