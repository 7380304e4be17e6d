import { describe, expect, it } from "vitest";
import { CJK, FONT, fitFont, MONO } from "../../../src/reports/pdf/fonts.js";

describe("fit", () => {
  it("keeps the preferred font when it has every character", () => {
    expect(fitFont("Евгения Иванова <e@x> → ok")).toEqual({ font: FONT, text: "Евгения Иванова <e@x> → ok" });
    expect(fitFont("abc123", MONO).font).toBe(MONO);
  });

  it("sets Chinese and Japanese in the CJK font", () => {
    expect(fitFont("山田太郎 <taro@example.jp>")).toEqual({ font: CJK, text: "山田太郎 <taro@example.jp>" });
    expect(fitFont("カタカナ").font).toBe(CJK);
  });

  it("prints what no shipped font has as a visible code point", () => {
    expect(fitFont("deploy 🦄").text).toBe("deploy [U+1F984]");
    expect(fitFont("김민준 山").text).toBe("[U+AE40][U+BBFC][U+C900] 山");
  });

  it("turns the HTML's visible tokens into ASCII every font has", () => {
    expect(fitFont("evil⟨U+202E⟩moc.x 张").text).toBe("evil[U+202E]moc.x 张");
  });
});
