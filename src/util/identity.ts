/**
 * `Name <email>` as trailers such as Co-authored-by write it; undefined when there is no email.
 * The email is the last `<…>` the value ends with, so an email that holds `>` stays whole and a
 * name that holds `<…>` (markup someone typed) stays the name.
 */
export function parseIdentity(value: string): { name: string; email: string } | undefined {
  const v = value.trim();
  const open = v.lastIndexOf("<");
  if (open < 0 || !v.endsWith(">") || v.length - 1 <= open) return undefined;
  return { name: v.slice(0, open).trim(), email: v.slice(open + 1, -1).trim() };
}
