/**
 * Text from git and GitHub is untrusted. Escaping stops markup; it does not stop a bidirectional
 * override (U+202E and friends, "Trojan Source") from visually reordering what a reader sees, or
 * a control character (a terminal escape) from hiding text. Such characters are replaced by a
 * visible token such as ⟨U+202E⟩ before text is shown in a report, a log line or an error.
 */

// C0 and C1 controls except tab and newline, bidi embeddings/overrides/isolates and marks,
// zero-width characters, and the BOM.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

export function visibleControls(text: string): string {
  return text.replace(INVISIBLE, (c) => `⟨U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}⟩`);
}

/** Untrusted text for one line of a log or an error: controls shown, lines joined, length capped. */
export function oneLine(text: string, max = 300): string {
  const flat = visibleControls(text)
    .replace(/\s*[\n\t]\s*/g, " ")
    .trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
