/**
 * Secrets must never reach a log line, an error or a report. URLs may carry credentials in their
 * userinfo (https://user:token@host/...), and tools like git echo URLs back in their errors.
 */

// Userinfo holds no quote, bracket or backslash: a URL inside a JSON or quoted value must not be
// read as running on into the next field up to some later "@".
const USERINFO_IN_URL = /\b([a-z][a-z0-9+.-]*:\/\/)([^/\s@"'<>\\?#]+)@/gi;
const TOKEN_SHAPES = [
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
];
/**
 * An Authorization header's value echoed back (API servers and proxies do, in error bodies): the
 * scheme stays, the credential goes. `Bearer` is a header scheme, so any credential-looking
 * value after it is masked; after the ordinary word `token`, only a long one.
 */
const CREDENTIAL_AFTER = [/\b(Bearer)(\s+)[A-Za-z0-9._~+/=-]{8,}/gi, /\b(token)(\s+)[A-Za-z0-9._~+/=-]{16,}/gi];

/**
 * Secret values this process holds (tokens read from the environment, minted installation
 * tokens): whatever their shape, they are masked wherever text is redacted.
 */
const knownSecrets = new Set<string>();

export function registerSecret(value: string): void {
  // Very short values would mask ordinary words; no real credential is that short.
  if (value.length >= 8) knownSecrets.add(value);
}

export function redact(text: string): string {
  let out = text.replace(USERINFO_IN_URL, "$1***@");
  for (const secret of knownSecrets) out = out.split(secret).join("***");
  for (const re of TOKEN_SHAPES) out = out.replace(re, (m) => `${m.slice(0, 4)}***`);
  for (const re of CREDENTIAL_AFTER) out = out.replace(re, "$1$2***");
  return out;
}

/** A URL safe to show: without credentials. */
export function displayUrl(url: string): string {
  return redact(url);
}
