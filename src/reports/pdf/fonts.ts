import { createRequire } from "node:module";
import path from "node:path";
import * as fontkit from "fontkit";

/**
 * Fonts for text from git, which may be in any script. DejaVu Sans covers Latin, Greek, Cyrillic
 * and much more; Noto Sans SC (loaded only when a text needs it) covers Chinese and Japanese kana.
 * A character neither has is printed as a visible [U+XXXX] token: an empty box would hide that
 * something was there.
 */

const require = createRequire(import.meta.url);
const dejavuDir = path.join(path.dirname(require.resolve("dejavu-fonts-ttf/package.json")), "ttf");

export const FONT = path.join(dejavuDir, "DejaVuSans.ttf");
export const BOLD = path.join(dejavuDir, "DejaVuSans-Bold.ttf");
export const MONO = path.join(dejavuDir, "DejaVuSansMono.ttf");
export const CJK = path.join(
  path.dirname(require.resolve("@expo-google-fonts/noto-sans-sc/package.json")),
  "400Regular",
  "NotoSansSC_400Regular.ttf",
);

type Coverage = (codePoint: number) => boolean;

const loaded = new Map<string, Coverage>();

function coverageOf(file: string): Coverage {
  let has = loaded.get(file);
  if (!has) {
    const font = fontkit.openSync(file);
    if (!("hasGlyphForCodePoint" in font)) throw new Error(`${file} is a font collection, not a font`);
    has = (cp) => font.hasGlyphForCodePoint(cp);
    loaded.set(file, has);
  }
  return has;
}

/** Visible tokens from the HTML side (⟨U+202E⟩) become ASCII, which every font here has. */
function asciiTokens(text: string): string {
  return text.replace(/⟨(U\+[0-9A-F]{4,6})⟩/g, "[$1]");
}

/** How many characters of `text` the font lacks (spaces and controls don't count). */
function missing(text: string, has: Coverage): number {
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp > 0x20 && !has(cp)) n++;
  }
  return n;
}

/**
 * The font to set `text` in (`preferred` when it has every character, else whichever of it and
 * the CJK font lacks fewer), and the text with anything the chosen font lacks made visible.
 */
export function fitFont(text: string, preferred = FONT): { font: string; text: string } {
  const t = asciiTokens(text);
  const lack = missing(t, coverageOf(preferred));
  if (lack === 0) return { font: preferred, text: t };
  const font = missing(t, coverageOf(CJK)) < lack ? CJK : preferred;
  const has = coverageOf(font);
  let out = "";
  for (const ch of t) {
    const cp = ch.codePointAt(0) ?? 0;
    out += cp > 0x20 && !has(cp) ? `[U+${cp.toString(16).toUpperCase().padStart(4, "0")}]` : ch;
  }
  return { font, text: out };
}
