import { describe, expect, it } from "vitest";
import { sourcePermission } from "../../../src/collectors/github/records.js";

describe("sourcePermission", () => {
  it("takes a built-in role over the base level, names a custom role with its base, and falls back to the base", () => {
    expect(sourcePermission("WRITE", "maintain")).toBe("MAINTAIN");
    expect(sourcePermission("READ", "triage")).toBe("TRIAGE");
    expect(sourcePermission("READ", "security-auditor")).toBe("security-auditor (READ)");
    expect(sourcePermission("ADMIN", null)).toBe("ADMIN");
  });
});
