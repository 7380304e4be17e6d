import { describe, expect, it } from "vitest";
import { PageSizer } from "../../../src/collectors/github/client.js";

describe("PageSizer", () => {
  it("halves on each timeout down to the minimum, and doubles back after a run of successes", () => {
    const s = new PageSizer(50, 5, 3);
    s.timedOut();
    expect(s.size).toBe(25);
    s.timedOut();
    s.timedOut();
    s.timedOut();
    expect(s.size).toBe(5);
    s.succeeded();
    s.succeeded();
    expect(s.size).toBe(5);
    s.succeeded();
    expect(s.size).toBe(10);
    s.timedOut();
    s.succeeded();
    s.succeeded();
    s.succeeded();
    for (let i = 0; i < 9; i++) s.succeeded();
    expect(s.size).toBe(50);
  });
});
