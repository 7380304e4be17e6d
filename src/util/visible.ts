/**
 * Text from git and GitHub is untrusted. Escaping stops markup; it does not stop a bidirectional
 * override (U+202E and friends, "Trojan Source") from visually reordering what a reader sees, or
 * a control character (a terminal escape) from hiding text. Such characters are replaced by a
 * visible token such as ⟨U+202E⟩ before text is shown in a report, a log line or an error.
 */

import { redact } from "./redact.js";

// C0 and C1 controls except tab and newline, bidi embeddings/overrides/isolates and marks,
// zero-width and other characters that print as nothing (soft hyphen, Hangul and Khmer fillers,
// Mongolian selectors, interlinear annotation marks), the BOM, and the tag characters, which can
// carry a whole hidden text.
const INVISIBLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\u3164\ufeff\uffa0\ufff9-\ufffb\u{e0000}-\u{e007f}]|\u180b|\u180c|\u180d/gu;

const hex4 = (c: string): string => (c.codePointAt(0) ?? 0).toString(16).padStart(4, "0");
/** JSON escapes of every UTF-16 unit (a tag character is two). */
const jsonEscapes = (c: string): string =>
  Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`).join("");

export function visibleControls(text: string): string {
  return text.replace(INVISIBLE, (c) => `⟨U+${hex4(c).toUpperCase()}⟩`);
}

/**
 * A value as one line of JSON that is safe on a terminal: JSON.stringify escapes C0 controls but
 * leaves DEL, C1 controls and bidirectional overrides raw; they are written as \uXXXX escapes,
 * which parse back to exactly the same value.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(INVISIBLE, jsonEscapes);
}

/** Untrusted text as it may be shown anywhere (a terminal, a report): secrets masked, controls visible. */
export function shownText(text: string): string {
  return visibleControls(redact(text));
}

/**
 * Untrusted text for one line of a log or an error: secrets masked, controls shown, lines joined,
 * length capped. Masking comes first: a cap that cut a token in two would leave its first part
 * unrecognisable, and shown.
 */
export function oneLine(text: string, max = 300): string {
  const flat = shownText(text)
    .replace(/\s*[\n\t]\s*/g, " ")
    .trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
