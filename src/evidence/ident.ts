/** A git identity as a commit carries it, with the GitHub account GitHub ties it to when known. */
export interface Ident {
  name: string | null;
  email: string | null;
  login: string | null;
}

/** `Name <email>`, else the login: how outputs name a commit identity. */
export const identText = (i: Ident): string =>
  i.email ? `${i.name ?? ""} <${i.email}>`.trim() : (i.login ?? i.name ?? "(unknown)");
