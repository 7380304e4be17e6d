import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadExceptionsRegister, parseExceptionsRegister } from "../../src/config/exceptions-register.js";
import { ConfigError } from "../../src/errors/index.js";
import { thrown } from "../helpers/thrown.js";
import { tempDir } from "../helpers/tmp.js";

const dir = tempDir("changeproof-register-");
const FILE = "/evidence/exceptions.yaml";
const SHA = "d11dc3159634606cafccb94cb9c2a22d3fbe90e7";

const configError = (f: () => unknown): ConfigError => thrown(ConfigError, f);

const entry = (extra = "", change = "acme/payments#412") =>
  [
    `  - change: ${change}`,
    "    reason: Emergency fix for INC-2031, reviewed after the fact",
    "    approvedBy: cto@acme.example",
    "    ticket: INC-2031",
    "    reviewDue: 2026-08-15",
    ...(extra ? [extra] : []),
  ].join("\n");

describe("the accepted-exceptions register", () => {
  it("reads entries for pull requests and direct pushes, each with where it stands", () => {
    const text = `exceptions:\n${entry("    rule: C1")}\n${entry("    reviewedOn: 2026-08-10", `acme/gitops@${SHA}`)}\n`;
    expect(parseExceptionsRegister(text, FILE)).toEqual([
      {
        change: "acme/payments#412",
        rule: "C1",
        reason: "Emergency fix for INC-2031, reviewed after the fact",
        approvedBy: "cto@acme.example",
        ticket: "INC-2031",
        reviewDue: "2026-08-15",
        at: `${FILE}:2`,
      },
      {
        change: `acme/gitops@${SHA}`,
        reason: "Emergency fix for INC-2031, reviewed after the fact",
        approvedBy: "cto@acme.example",
        ticket: "INC-2031",
        reviewDue: "2026-08-15",
        reviewedOn: "2026-08-10",
        at: `${FILE}:8`,
      },
    ]);
  });

  it("names file, line and field for an unknown field, with a hint", () => {
    const e = configError(() => parseExceptionsRegister(`exceptions:\n${entry("    approvedOn: 2026-08-01")}\n`, FILE));
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(`${FILE}:7: unknown field "exceptions[0].approvedOn" (did you mean "approvedBy"?)`);
  });

  it("refuses a date that is not a calendar date, and a change that is not a change id", () => {
    const badDate = entry().replace("2026-08-15", "2026-02-30");
    expect(configError(() => parseExceptionsRegister(`exceptions:\n${badDate}\n`, FILE)).message).toBe(
      `${FILE}:6: field "exceptions[0].reviewDue" is not a calendar date`,
    );
    const text = `exceptions:\n${entry("", "payments 412")}\n`;
    expect(configError(() => parseExceptionsRegister(text, FILE)).message).toBe(
      `${FILE}:2: field "exceptions[0].change" must be owner/repo#<number> or owner/repo@<40-hex sha>`,
    );
    const missing = `exceptions:\n${entry().replace("    ticket: INC-2031\n", "")}\n`;
    expect(configError(() => parseExceptionsRegister(missing, FILE)).message).toBe(
      `${FILE}:2: field "exceptions[0].ticket" is required`,
    );
  });

  it("says a missing register file is missing, naming it as the register", () => {
    const file = path.join(dir, "nowhere.yaml");
    expect(configError(() => loadExceptionsRegister(file)).message).toBe(
      `${file}: cannot read exceptions register: no such file`,
    );
    const empty = path.join(dir, "empty.yaml");
    writeFileSync(empty, "\n");
    expect(configError(() => loadExceptionsRegister(empty)).message).toBe(`${empty}: exceptions register is empty`);
  });

  it("refuses an entry naming a repository that is not tracked: a typo must not look like an exception", () => {
    const text = `exceptions:\n${entry()}\n${entry("", "acme/paymnets#9")}\n`;
    const e = configError(() => parseExceptionsRegister(text, FILE, ["acme/payments", "acme/gitops"]));
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(
      `${FILE}:7: field "exceptions[1].change" names acme/paymnets, which is not a tracked repository`,
    );
    // Repository names compare as GitHub does: case does not matter.
    expect(
      parseExceptionsRegister(`exceptions:\n${entry("", "Acme/Payments#412")}\n`, FILE, ["acme/payments"]),
    ).toHaveLength(1);
  });
});
