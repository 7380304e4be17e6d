import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log/logger.js";

function sink(): { chunks: string[]; write: (c: string) => void } {
  const chunks: string[] = [];
  return { chunks, write: (c) => chunks.push(c) };
}

const now = (): Date => new Date("2026-11-23T10:00:00.000Z");

describe("logger", () => {
  it("writes JSON lines with time, level, message and fields, redacting secrets in both", () => {
    const s = sink();
    const log = createLogger({ json: true, write: s.write, now }).child({ repo: "acme/app" });
    log.warn("cannot fetch https://bot:s3cret@example.com/x.git", {
      url: "https://bot:s3cret@example.com/x.git",
      n: 3,
    });
    expect(s.chunks).toHaveLength(1);
    expect(JSON.parse(s.chunks[0] ?? "")).toEqual({
      time: "2026-11-23T10:00:00.000Z",
      level: "warn",
      msg: "cannot fetch https://***@example.com/x.git",
      repo: "acme/app",
      url: "https://***@example.com/x.git",
      n: 3,
    });
  });

  it("writes text lines otherwise, quoting field values with spaces, and filters by level", () => {
    const s = sink();
    const log = createLogger({ level: "warn", write: s.write, now });
    log.info("hidden");
    log.error("failed", { path: "/tmp/a b" });
    expect(s.chunks).toEqual(['error: failed path="/tmp/a b"\n']);
  });

  it("keeps data's control characters and line breaks off the terminal, in text and in JSON", () => {
    const hostile = "app\u001b[2J\u0007\u202egnp.exe\nforged: line";
    const text = sink();
    createLogger({ write: text.write, now }).warn(`gap: ${hostile}`, { name: hostile });
    expect(text.chunks).toEqual([
      'warn: gap: app⟨U+001B⟩[2J⟨U+0007⟩⟨U+202E⟩gnp.exe forged: line name="app\\u001b[2J\\u0007⟨U+202E⟩gnp.exe\\nforged: line"\n',
    ]);
    const json = sink();
    createLogger({ json: true, write: json.write, now }).warn(hostile);
    const line = json.chunks[0] ?? "";
    expect(line).not.toContain("\u202e");
    expect(line.trimEnd().split("\n")).toHaveLength(1);
    expect((JSON.parse(line) as { msg: string }).msg).toBe(hostile);
  });

  it("shows progress in place on a terminal and clears it before the next line", () => {
    const s = sink();
    const log = createLogger({ write: s.write, isTTY: true, now });
    log.progress("reading commits", { read: 5000 });
    log.progress("reading commits", { read: 10000 });
    log.info("done");
    expect(s.chunks).toEqual([
      "\r\x1b[2K… reading commits read=5000",
      "\r\x1b[2K… reading commits read=10000",
      "\r\x1b[2K",
      "done\n",
    ]);
  });

  it("logs progress at debug level when not on a terminal, so pipes and JSON logs stay clean", () => {
    const quiet = sink();
    createLogger({ write: quiet.write, now }).progress("reading commits");
    expect(quiet.chunks).toEqual([]);
    const debug = sink();
    createLogger({ level: "debug", json: true, write: debug.write, now }).progress("reading commits", { read: 1 });
    expect(JSON.parse(debug.chunks[0] ?? "")).toMatchObject({ level: "debug", msg: "reading commits", read: 1 });
  });
});
