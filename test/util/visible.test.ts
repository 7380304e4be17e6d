import { describe, expect, it } from "vitest";
import { jsonLine, visibleControls } from "../../src/util/visible.js";

describe("visibleControls and jsonLine", () => {
  // Characters that print as nothing can hide text in a title or a name: each becomes a token.
  it.each([
    ["a bidi override", "a\u202Eb", "a⟨U+202E⟩b"],
    ["a soft hyphen", "pay\u00ADments", "pay⟨U+00AD⟩ments"],
    ["a Hangul filler", "x\u3164y", "x⟨U+3164⟩y"],
    ["a Mongolian vowel separator", "x\u180Ey", "x⟨U+180E⟩y"],
    ["an interlinear annotation mark", "x\uFFF9y", "x⟨U+FFF9⟩y"],
    ["tag characters (a hidden 'hi')", "ok\u{E0068}\u{E0069}", "ok⟨U+E0068⟩⟨U+E0069⟩"],
  ])("shows %s", (_, raw, shown) => {
    expect(visibleControls(raw)).toBe(shown);
  });

  it("keeps ordinary text, accents, CJK and emoji as they are", () => {
    const text = "Évelyne 山田太郎 🦄 <b>";
    expect(visibleControls(text)).toBe(text);
  });

  it("writes every such character as JSON escapes that parse back to the same value", () => {
    const value = { title: "a\u202Eb\u00AD\u{E0068}\u0007" };
    const line = jsonLine(value);
    expect(line).toBe('{"title":"a\\u202eb\\u00ad\\udb40\\udc68\\u0007"}');
    expect(JSON.parse(line)).toEqual(value);
  });
});
