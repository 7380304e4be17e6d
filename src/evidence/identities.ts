import type { PersonConfig } from "../config/schema.js";
import { compareText } from "../util/compare.js";
import type { Ident } from "./ident.js";

/**
 * Identity resolution (SPEC §3): git email -> GitHub login -> person. Git identities are free
 * text anyone can set; what ties an email to an account is GitHub (it maps a commit's email to
 * the account that verified it) and the organisation's own registry (`people:` in the config,
 * which joins one person's several logins and emails and names the accounts that are not
 * people). An email neither knows resolves to nobody, and is listed: a change it touches cannot
 * be shown independent.
 */

export type ServiceKind = "bot" | "automation" | "web-flow";

export interface Party {
  /** A stable key: "person:<registry name>", "login:<login>" for an account only GitHub knows. */
  key: string;
  name: string;
  /** Set for accounts that are not people: they never count as reviewers. */
  service: ServiceKind | null;
  logins: string[];
  emails: string[];
  /** Where it came from: the registry, or GitHub alone. */
  source: "registry" | "github";
}

/** What GitHub recorded of one commit identity: the email git carried and the account it maps to. */
export interface ObservedIdentity {
  email: string | null;
  login: string | null;
  /** GitHub's actor type for the login, when known ("Bot" for Apps). */
  kind?: string | null;
}

/** An email two parties claim: the registry and GitHub, or GitHub for two accounts (a reused address). */
export interface Conflict {
  email: string;
  /** The parties' keys, sorted. */
  claimedBy: string[];
}

export interface Identities {
  /** The party an email or a login is, or null when nothing ties it to anyone. */
  resolve(who: { email?: string | null; login?: string | null }): Party | null;
  /** The same, for a commit identity of a population (answered once per object). */
  resolveIdent(who: Ident): Party | null;
  /** Every party, sorted by key. */
  parties(): Party[];
  /** Emails claimed by two parties: they resolve to neither, and are said, never guessed. */
  conflicts: Conflict[];
}

const norm = (s: string): string => s.trim().toLowerCase();

/** GitHub's noreply addresses name their account: `<login>@` or `<id>+<login>@users.noreply.github.com`. */
export function noreplyLogin(email: string): string | null {
  const m = /^(?:\d+\+)?([A-Za-z0-9-]{1,39}(?:\[bot\])?)@users\.noreply\.github\.com$/i.exec(email.trim());
  return m?.[1] ?? null;
}

/** GitHub Apps act as `<name>[bot]`; web-flow is the account GitHub commits and signs as. */
function serviceOfLogin(login: string, kind: string | null | undefined): ServiceKind | null {
  if (norm(login) === "web-flow") return "web-flow";
  if (/\[bot\]$/i.test(login) || kind === "Bot") return "bot";
  return null;
}

export function buildIdentities(registry: readonly PersonConfig[], observed: readonly ObservedIdentity[]): Identities {
  const byLogin = new Map<string, Party>();
  const byEmail = new Map<string, Party>();
  const parties = new Map<string, Party>();
  for (const p of registry) {
    const party: Party = {
      key: `person:${p.name}`,
      name: p.name,
      service: p.service ?? null,
      logins: [...p.logins],
      emails: [...p.emails],
      source: "registry",
    };
    parties.set(party.key, party);
    for (const l of p.logins) byLogin.set(norm(l), party);
    for (const e of p.emails) byEmail.set(norm(e), party);
  }
  const accountOf = (login: string, kind: string | null | undefined): Party => {
    const known = byLogin.get(norm(login));
    if (known) return known;
    const party: Party = {
      key: `login:${norm(login)}`,
      name: login,
      service: serviceOfLogin(login, kind),
      logins: [login],
      emails: [],
      source: "github",
    };
    parties.set(party.key, party);
    byLogin.set(norm(login), party);
    return party;
  };
  const conflicts = new Map<string, Conflict>();
  // Observed in a stable order, so the same store always resolves the same way.
  // Deduplicated first: a period's commits repeat the same few identities thousands of times.
  const unique = new Map<string, ObservedIdentity>();
  for (const o of observed) {
    const k = `${o.email ?? ""}\u0000${o.login ?? ""}\u0000${o.kind ?? ""}`;
    if (!unique.has(k)) unique.set(k, o);
  }
  const sorted = [...unique].sort(([a], [b]) => compareText(a, b)).map(([, o]) => o);
  for (const o of sorted) {
    const login = o.login ?? (o.email ? noreplyLogin(o.email) : null);
    if (!login) continue;
    const account = accountOf(login, o.kind);
    if (!o.email) continue;
    const email = norm(o.email);
    const owner = byEmail.get(email);
    if (owner && owner !== account) {
      const c = conflicts.get(email) ?? { email: o.email, claimedBy: [owner.key] };
      if (!c.claimedBy.includes(account.key)) c.claimedBy = [...c.claimedBy, account.key].sort();
      conflicts.set(email, c);
      // What GitHub alone gave an account is taken back; what the registry declares stays declared.
      if (owner.source === "github") owner.emails = owner.emails.filter((e) => norm(e) !== email);
      continue;
    }
    if (!owner) {
      byEmail.set(email, account);
      if (!account.emails.some((e) => norm(e) === email)) account.emails.push(o.email);
    }
  }
  // Every commit of a period asks about the same few identities: answered once each.
  const answers = new Map<string, Party | null>();
  const resolve = ({ email, login }: { email?: string | null; login?: string | null }): Party | null => {
    if (login) {
      const p = byLogin.get(norm(login));
      if (p) return p;
    }
    if (email) {
      const e = norm(email);
      // An email two parties claim resolves to neither.
      if (conflicts.has(e)) return null;
      const p = byEmail.get(e);
      if (p) return p;
      const fromNoreply = noreplyLogin(email);
      if (fromNoreply) return byLogin.get(norm(fromNoreply)) ?? null;
    }
    return null;
  };
  const resolveOnce = (who: { email?: string | null; login?: string | null }): Party | null => {
    const k = `${who.email ?? "\u0001"}\u0000${who.login ?? "\u0001"}`;
    let a = answers.get(k);
    if (a === undefined) {
      a = resolve(who);
      answers.set(k, a);
    }
    return a;
  };
  // A population holds one object per distinct commit identity (see population.ts): its
  // hundreds of thousands of commits are answered by object, without building a key.
  const byIdent = new WeakMap<Ident, Party | null>();
  return {
    resolve: resolveOnce,
    resolveIdent: (who) => {
      let a = byIdent.get(who);
      if (a === undefined) {
        a = resolveOnce(who);
        byIdent.set(who, a);
      }
      return a;
    },
    parties: () => [...parties.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    conflicts: [...conflicts.values()].sort((a, b) => a.email.localeCompare(b.email)),
  };
}
