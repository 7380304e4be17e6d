import { describe, expect, it } from "vitest";
import { UsageError } from "../src/errors/index.js";
import { parsePeriod, periodFromRange, quarterOf } from "../src/period.js";

describe("parsePeriod", () => {
  it("reads a quarter as [start, next quarter start) in UTC", () => {
    const p = parsePeriod("2026Q3");
    expect(p.from.toISOString()).toBe("2026-07-01T00:00:00.000Z");
    expect(p.to.toISOString()).toBe("2026-10-01T00:00:00.000Z");
    expect(parsePeriod("2026q4").to.toISOString()).toBe("2027-01-01T00:00:00.000Z");
  });
  it("reads months, years and explicit ranges", () => {
    expect(parsePeriod("2026-02").to.toISOString()).toBe("2026-03-01T00:00:00.000Z");
    expect(parsePeriod("2026").to.toISOString()).toBe("2027-01-01T00:00:00.000Z");
    expect(parsePeriod("2026-07-01..2026-07-15").to.toISOString()).toBe("2026-07-15T00:00:00.000Z");
  });
  it("refuses what is not a period, naming it", () => {
    expect(() => parsePeriod("Q3")).toThrow(UsageError);
    expect(() => parsePeriod("2026-13")).toThrow(/2026-13/);
    expect(() => periodFromRange("2026-07-10", "2026-07-01")).toThrow(/must be after/);
    expect(() => periodFromRange("yesterday", "2026-07-01")).toThrow(/--from "yesterday" is not a date/);
  });
  it("says a range that is not a period is not a period, never naming an option the user did not pass", () => {
    for (const spec of ["../../x", "2026-07-01..soon", "2026-10-01..2026-07-01"]) {
      let message = "";
      try {
        parsePeriod(spec);
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        message = e.message;
      }
      expect(message).toContain(`--period "${spec}" is not a period`);
      expect(message).not.toMatch(/--from|--to/);
    }
    expect(() => parsePeriod("../../x")).toThrow(/its start "\.\.\/" is not a date/);
  });
  it("finds the quarter of an instant", () => {
    expect(quarterOf(new Date("2026-11-23T10:00:00Z")).label).toBe("2026Q4");
  });
});

describe("relative quarters, in UTC whatever the machine's zone", () => {
  it("this-quarter and last-quarter are taken from the clock given", () => {
    const now = new Date("2026-12-03T17:00:00Z");
    expect(parsePeriod("this-quarter", now)).toEqual({
      label: "2026Q4",
      from: new Date("2026-10-01T00:00:00Z"),
      to: new Date("2027-01-01T00:00:00Z"),
    });
    expect(parsePeriod("last-quarter", now)).toEqual({
      label: "2026Q3",
      from: new Date("2026-07-01T00:00:00Z"),
      to: new Date("2026-10-01T00:00:00Z"),
    });
    // The first instant of a quarter belongs to it; the last quarter of January is last year's Q4.
    expect(parsePeriod("this-quarter", new Date("2027-01-01T00:00:00Z")).label).toBe("2027Q1");
    expect(parsePeriod("last-quarter", new Date("2027-01-01T00:00:00Z")).label).toBe("2026Q4");
  });

  it("puts a quarter's edges at UTC midnight in any time zone", () => {
    const saved = process.env.TZ;
    try {
      for (const tz of ["Pacific/Kiritimati", "America/Adak", "Asia/Kolkata"]) {
        process.env.TZ = tz;
        expect(parsePeriod("2026Q3").from.toISOString(), tz).toBe("2026-07-01T00:00:00.000Z");
        expect(parsePeriod("2026-02").to.toISOString(), tz).toBe("2026-03-01T00:00:00.000Z");
        expect(parsePeriod("this-quarter", new Date("2026-09-30T23:30:00Z")).label, tz).toBe("2026Q3");
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});
