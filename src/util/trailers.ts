/**
 * Commit trailers (Co-authored-by, Signed-off-by, Reviewed-by, ...) from a commit message,
 * following git-interpret-trailers: the last paragraph is a trailer block when all of its lines
 * are trailers (or their continuation lines), or when at least a quarter are and one of them is
 * a git-generated Signed-off-by or "(cherry picked from commit ...)" line.
 */

export interface Trailer {
  key: string;
  value: string;
}

const TRAILER = /^([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)$/;
const CHERRY_PICK = /^\(cherry picked from commit [0-9a-f]+\)$/;
const GIT_GENERATED = /^Signed-off-by$/i;

export function parseTrailers(message: string): Trailer[] {
  // Most messages have no colon after a blank line: no trailer block is possible.
  const lastBreak = message.lastIndexOf("\n\n");
  if (lastBreak < 0 || message.indexOf(":", lastBreak) < 0) return [];
  const lines = message.trimEnd().split("\n");
  // Only the last paragraph, and never the subject paragraph on its own.
  let start = lines.length;
  while (start > 0 && (lines[start - 1] ?? "").trim() !== "") start--;
  if (start === 0) return [];
  const block = lines.slice(start);
  const trailers: Trailer[] = [];
  let trailerLines = 0;
  let otherLines = 0;
  let generated = false;
  for (const line of block) {
    if (/^[ \t]/.test(line) && trailers.length > 0) {
      const last = trailers[trailers.length - 1];
      if (last) last.value = `${last.value} ${line.trim()}`.trim();
      continue;
    }
    const m = TRAILER.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) {
      trailers.push({ key: m[1], value: m[2].trim() });
      trailerLines++;
      if (GIT_GENERATED.test(m[1])) generated = true;
    } else if (CHERRY_PICK.test(line.trim())) {
      generated = true;
      trailerLines++;
    } else {
      otherLines++;
    }
  }
  if (trailers.length === 0) return [];
  if (otherLines === 0) return trailers;
  return generated && trailerLines * 3 >= otherLines ? trailers : [];
}
