/** `Name <email>` as trailers such as Co-authored-by write it; undefined when there is no email. */
export function parseIdentity(value: string): { name: string; email: string } | undefined {
  const m = /^(.*?)\s*<([^<>]*)>\s*$/.exec(value);
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  return { name: m[1].trim(), email: m[2].trim() };
}
