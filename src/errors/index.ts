/**
 * One error family for the whole tool. Every expected failure is a ChangeproofError with a
 * stable code; the CLI's single handler maps the code's kind to an exit code and prints only
 * `message` (never a request object, a token or a stack unless --debug).
 */

import { redact } from "../util/redact.js";

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  incomplete: 3,
  locked: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export type ErrorKind =
  | "usage"
  | "config"
  | "input"
  | "store"
  | "git"
  | "github"
  | "cluster"
  | "incomplete"
  | "locked"
  | "internal";

export class ChangeproofError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, code: string, message: string, options?: { cause?: unknown }) {
    // Messages quote what servers and tools answered, and some echo the request's credentials:
    // masked here, an error's text is safe wherever it goes (the ledger, an export, a summary).
    super(redact(message), options);
    this.name = new.target.name;
    this.kind = kind;
    this.code = code;
  }
  get exitCode(): ExitCode {
    switch (this.kind) {
      case "usage":
      case "config":
        return ExitCode.usage;
      case "incomplete":
        return ExitCode.incomplete;
      case "locked":
        return ExitCode.locked;
      default:
        return ExitCode.failure;
    }
  }
}

/** Wrong command-line use: unknown period, conflicting options. */
export class UsageError extends ChangeproofError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("usage", "E_USAGE", message, options);
  }
}

/** A config file that can't be read, parsed or validated; the message names file, line and field. */
export class ConfigError extends ChangeproofError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("config", "E_CONFIG", message, options);
  }
}

/** A database that can't be opened, is not ours, is newer than us, or can't be written. */
export class StoreError extends ChangeproofError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super("store", code, message, options);
  }
}

/** Another changeproof process is writing to the store: nothing was done; worth a retry later. */
export class StoreLockedError extends ChangeproofError {
  constructor(message: string) {
    super("locked", "E_STORE_LOCKED", message);
  }
}

/** A repository that is missing, not a git repository, can't be cloned, or whose git failed. */
export class GitError extends ChangeproofError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super("git", code, message, options);
  }
}

/**
 * GitHub refused or failed a request: bad credentials, a missing scope or permission, an unknown
 * organisation or repository, an unreachable API, a rate limit we gave up on, or a response
 * that is not what the schema promises. The message says which, and for what.
 */
export class GitHubError extends ChangeproofError {
  /** Worth another run later (rate limit, outage) rather than a fix of config or credentials. */
  readonly transient: boolean;
  constructor(code: string, message: string, options?: { cause?: unknown; transient?: boolean }) {
    super("github", code, message, options);
    this.transient = options?.transient ?? false;
  }
}

/**
 * A cluster's API server or Argo CD refused or failed a request: bad credentials, a resource the
 * credentials may not list, an unreachable or timing-out server, an answer that is not what the
 * API promises, an export file that can't be read. The message names the cluster and what.
 */
export class ClusterError extends ChangeproofError {
  readonly transient: boolean;
  constructor(code: string, message: string, options?: { cause?: unknown; transient?: boolean }) {
    super("cluster", code, message, options);
    this.transient = options?.transient ?? false;
  }
}

/** A report or export that can't be written where it was asked to go. */
export class OutputError extends ChangeproofError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("input", "E_OUTPUT", message, options);
  }
}

/** Some sources were collected and stored, others failed: evidence is incomplete. */
export class CollectionIncompleteError extends ChangeproofError {
  readonly failures: readonly string[];
  constructor(failures: readonly string[]) {
    super(
      "incomplete",
      "E_INCOMPLETE",
      `collection incomplete: ${failures.length === 1 ? "1 source" : `${failures.length} sources`} failed (${failures.join("; ")}); everything else was stored`,
    );
    this.failures = failures;
  }
}

export function isChangeproofError(e: unknown): e is ChangeproofError {
  return e instanceof ChangeproofError;
}

/** The innermost useful message of an unknown thrown value, for wrapping. */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
