/**
 * Text from git and GitHub is untrusted. Escaping stops markup; it does not stop a bidirectional
 * override (U+202E and friends, "Trojan Source") from visually reordering what a reader sees, or
 * a control character from hiding text. Before rendering, such characters are replaced by a
 * visible token such as ⟨U+202E⟩. The JSON population keeps the raw values.
 */

// C0 and C1 controls except tab and newline, bidi embeddings/overrides/isolates and marks,
// zero-width characters, and the BOM.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

export function visibleControls(text: string): string {
  return text.replace(INVISIBLE, (c) => `⟨U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}⟩`);
}

/** A deep copy of a report model with every string made safe to show. */
export function presentable<T>(value: T): T {
  if (typeof value === "string") return visibleControls(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => presentable(v)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, presentable(v)])) as T;
  }
  return value;
}
