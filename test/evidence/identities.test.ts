import { describe, expect, it } from "vitest";
import type { PersonConfig } from "../../src/config/schema.js";
import { buildIdentities, noreplyLogin } from "../../src/evidence/identities.js";

const alice: PersonConfig = { name: "Alice Example", logins: ["alice", "alice-work"], emails: ["alice@acme.example"] };
const renovate: PersonConfig = { name: "Renovate", service: "bot", logins: ["renovate[bot]"], emails: [] };

describe("identity resolution", () => {
  it("joins a person's logins and emails, adding the emails GitHub maps to their logins", () => {
    const ids = buildIdentities(
      [alice, renovate],
      [
        { email: "alice@laptop.local", login: "alice-work" },
        { email: "Alice@ACME.example", login: "alice" },
      ],
    );
    const a = ids.resolve({ email: "alice@laptop.local" });
    expect(a?.key).toBe("person:Alice Example");
    expect(ids.resolve({ login: "ALICE" })).toBe(a);
    expect(ids.resolve({ email: "alice@acme.example" })).toBe(a);
    expect(a?.emails).toEqual(["alice@acme.example", "alice@laptop.local"]);
    expect(a?.service).toBeNull();
    expect(ids.resolve({ login: "renovate[bot]" })?.service).toBe("bot");
  });

  it("knows an account GitHub alone records, and marks Apps and web-flow as services", () => {
    const ids = buildIdentities(
      [],
      [
        { email: "bob@home.example", login: "bob" },
        { email: null, login: "dependabot[bot]" },
        { email: "noreply@github.com", login: "web-flow" },
        { email: "ci@acme.example", login: "acme-ci", kind: "Bot" },
      ],
    );
    expect(ids.resolve({ email: "bob@home.example" })).toMatchObject({
      key: "login:bob",
      source: "github",
      service: null,
    });
    expect(ids.resolve({ login: "dependabot[bot]" })?.service).toBe("bot");
    expect(ids.resolve({ email: "noreply@github.com" })?.service).toBe("web-flow");
    expect(ids.resolve({ login: "acme-ci" })?.service).toBe("bot");
    expect(ids.parties().map((p) => p.key)).toEqual([
      "login:acme-ci",
      "login:bob",
      "login:dependabot[bot]",
      "login:web-flow",
    ]);
  });

  it("reads the account from a GitHub noreply address, and resolves nobody for an email nothing ties", () => {
    expect(noreplyLogin("12345+carol@users.noreply.github.com")).toBe("carol");
    expect(noreplyLogin("carol@users.noreply.github.com")).toBe("carol");
    expect(noreplyLogin("carol@example.com")).toBeNull();
    const ids = buildIdentities([], [{ email: "12345+carol@users.noreply.github.com", login: null }]);
    expect(ids.resolve({ email: "12345+carol@users.noreply.github.com" })?.key).toBe("login:carol");
    expect(ids.resolve({ email: "mallory@evil.example" })).toBeNull();
    expect(ids.resolve({ login: "never-seen" })).toBeNull();
  });

  it("resolves an email the registry and GitHub give to different parties to neither, and says so", () => {
    // The registry says the email is Alice's; GitHub maps a commit with it to mallory's account.
    const ids = buildIdentities([alice], [{ email: "alice@acme.example", login: "mallory" }]);
    expect(ids.resolve({ email: "alice@acme.example" })).toBeNull();
    expect(ids.resolve({ login: "alice" })?.name).toBe("Alice Example");
    expect(ids.conflicts).toEqual([
      { email: "alice@acme.example", claimedBy: ["login:mallory", "person:Alice Example"] },
    ]);
  });

  it("resolves an email GitHub maps to two accounts (a reused address) to neither, whatever the order", () => {
    const observed = [
      { email: "x@acme.example", login: "xavier" },
      { email: "x@acme.example", login: "xena" },
      { email: "y@acme.example", login: "yann" },
    ];
    for (const list of [observed, [...observed].reverse()]) {
      const ids = buildIdentities([], list);
      expect(ids.resolve({ email: "x@acme.example" })).toBeNull();
      expect(ids.resolve({ email: "y@acme.example" })?.key).toBe("login:yann");
      expect(ids.conflicts).toEqual([{ email: "x@acme.example", claimedBy: ["login:xavier", "login:xena"] }]);
      expect(ids.parties().flatMap((p) => p.emails)).toEqual(["y@acme.example"]);
    }
  });
});
