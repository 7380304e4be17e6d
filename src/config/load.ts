import path from "node:path";
import { isMap, isScalar, LineCounter, type Node, parseDocument, visit } from "yaml";
import type { z } from "zod";
import { ConfigError, messageOf } from "../errors/index.js";
import { redact } from "../util/redact.js";
import { nearest } from "../util/suggest.js";
import { oneLine } from "../util/visible.js";
import { checkConfigBudget, readConfigText } from "./limits.js";
import { type Config, configSchema, knownFields, type RepoConfig } from "./schema.js";

export interface LoadedConfig extends Config {
  /** Absolute path of the file it came from; relative paths in it resolve against its folder. */
  file: string;
  database: string;
  output: string;
  cache: string;
  repos: ResolvedRepo[];
}

export interface ResolvedRepo extends RepoConfig {
  /** The source as a URL, or an absolute path. */
  location: { kind: "url"; url: string } | { kind: "path"; path: string };
}

/** A repository's source as stores and reports show it: the path, or the URL without credentials. */
export function sourceText(repo: ResolvedRepo): string {
  return repo.location.kind === "url" ? redact(repo.location.url) : repo.location.path;
}

type PathKey = string | number;

/** A value from the config (a key, a name, a YAML message quoting the text) as an error shows it. */
const SHOWN_MAX = 200;
/** The config file's name as messages show it: one line, controls visible, at most PATH_MAX. */
const shownFile = (file: string): string => oneLine(file, 4096);
/** Problems listed before the rest are only counted: a hostile file can have one per token. */
const MAX_PROBLEMS = 20;
/** Longer than any known field by far: no hint is near enough, and the edit distance would be costly. */
const MAX_HINTED_KEY = 64;

function fieldName(p: readonly PropertyKey[]): string {
  let out = "";
  for (const k of p) {
    if (typeof k === "number") out += `[${k}]`;
    else out += out ? `.${String(k)}` : String(k);
  }
  return out || "(top level)";
}

function suggestion(unknown: string, parent: readonly PropertyKey[]): string {
  if (unknown.length > MAX_HINTED_KEY) return "";
  const key = parent.filter((k) => typeof k === "string").join(".");
  const best = nearest(unknown, knownFields[key] ?? []);
  return best ? ` (did you mean "${best}"?)` : "";
}

/** The source line of the node at `p`, or of its nearest ancestor that exists. */
function lineOf(
  doc: ReturnType<typeof parseDocument>,
  lc: LineCounter,
  p: readonly PathKey[],
  key?: string,
): number | undefined {
  for (let n = p.length; n >= 0; n--) {
    const node = doc.getIn(p.slice(0, n), true) as Node | undefined;
    if (!node) continue;
    if (key !== undefined && n === p.length && isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && it.key.value === key);
      const keyNode = pair?.key as Node | undefined;
      if (keyNode?.range) return lc.linePos(keyNode.range[0]).line;
    }
    if (node.range) return lc.linePos(node.range[0]).line;
  }
  return undefined;
}

/** One line per problem (an unknown key each), produced only as far as they are listed. */
function* describeIssues(
  file: string,
  doc: ReturnType<typeof parseDocument>,
  lc: LineCounter,
  issues: readonly z.core.$ZodIssue[],
): Generator<string> {
  for (const issue of issues) {
    const p = issue.path.filter((k): k is PathKey => typeof k !== "symbol");
    if (issue.code === "unrecognized_keys") {
      for (const k of issue.keys) {
        const line = lineOf(doc, lc, p, k);
        const field = fieldName([...p, oneLine(k, SHOWN_MAX)]);
        yield `${file}${line ? `:${line}` : ""}: unknown field "${field}"${suggestion(k, p)}`;
      }
      continue;
    }
    const line = lineOf(doc, lc, p);
    const present = doc.hasIn(p);
    // Custom messages quote config values (a duplicated name): capped like every echoed value.
    const msg = !present ? "is required" : oneLine(issue.message.replace(/^Invalid (input|option): /, ""), SHOWN_MAX);
    yield `${file}${line ? `:${line}` : ""}: field "${fieldName(p)}" ${msg}`;
  }
}

const problemCount = (issues: readonly z.core.$ZodIssue[]): number =>
  issues.reduce((n, i) => n + (i.code === "unrecognized_keys" ? i.keys.length : 1), 0);

/** The first MAX_PROBLEMS lines, then how many more there are. */
function listed(file: string, lines: Iterable<string>, total: number): string {
  const out: string[] = [];
  for (const l of lines) {
    if (out.length === MAX_PROBLEMS) break;
    out.push(l);
  }
  if (total > out.length) out.push(`${file}: and ${total - out.length} more problems`);
  return out.join("\n");
}

/** The line of the first alias: where to look when aliases could not be expanded. */
function firstAliasLine(doc: ReturnType<typeof parseDocument>, lc: LineCounter): number | undefined {
  let line: number | undefined;
  visit(doc, {
    Alias(_, node) {
      if (node.range) line = lc.linePos(node.range[0]).line;
      return visit.BREAK;
    },
  });
  return line;
}

/**
 * The document as plain data. Expanding aliases is where a "billion laughs" file would explode:
 * the yaml library stops at `maxAliasCount` with a ReferenceError, as it does for an alias with
 * no anchor; a document nested too deeply overflows the stack. Each is the file's fault.
 */
function toData(file: string, doc: ReturnType<typeof parseDocument>, lc: LineCounter): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    let line: number | undefined;
    try {
      line = e instanceof ReferenceError ? firstAliasLine(doc, lc) : undefined;
    } catch {
      // As deep as the document that could not be expanded: no line, the message still stands.
    }
    throw new ConfigError(`${file}${line ? `:${line}` : ""}: invalid YAML: ${oneLine(messageOf(e), SHOWN_MAX)}`, {
      cause: e,
    });
  }
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const SCP_LIKE = /^[^/\s@]+@[^/\s:]+:/; // git@github.com:org/repo.git

export function resolveRepoLocation(source: string, baseDir: string): ResolvedRepo["location"] {
  // file:// is a clone URL like any other (mirrored); a bare path is read in place.
  if (SCHEME.test(source) || SCP_LIKE.test(source)) return { kind: "url", url: source };
  return { kind: "path", path: path.resolve(baseDir, source) };
}

/**
 * Credentials in a clone URL would be written into the mirror's git config and echoed by git:
 * refused. Over HTTP(S) any user part is refused (a token is often given as the user name); an
 * ssh:// or scp-like user such as "git@" carries no secret and is fine, a password never is.
 */
function embeddedSecret(location: ResolvedRepo["location"]): string | undefined {
  if (location.kind !== "url") return undefined;
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/@\s]*)@/i.exec(location.url);
  if (!m) return undefined;
  const [, scheme = "", userinfo = ""] = m;
  if (userinfo.includes(":") || /^https?$/i.test(scheme)) return "embeds a password or token";
  return undefined;
}

/**
 * Parse and validate config text; every problem is reported with file, line and field. Text over
 * the size or token limit is refused before it is parsed.
 */
export function parseConfig(text: string, file: string): LoadedConfig {
  const shown = shownFile(file);
  checkConfigBudget(text, shown);
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.slice(0, MAX_PROBLEMS).map((e) => {
      const pos = lc.linePos(e.pos[0]);
      return `${shown}:${pos.line}:${pos.col}: invalid YAML: ${oneLine(e.message.split("\n")[0] ?? "", SHOWN_MAX)}`;
    });
    throw new ConfigError(listed(shown, lines, doc.errors.length));
  }
  const raw = toData(shown, doc, lc);
  if (raw === null || raw === undefined) throw new ConfigError(`${shown}: config is empty`);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const { issues } = parsed.error;
    throw new ConfigError(listed(shown, describeIssues(shown, doc, lc, issues), problemCount(issues)));
  }
  const cfg = parsed.data;
  const baseDir = path.dirname(path.resolve(file));
  const repos: ResolvedRepo[] = [];
  for (const [i, r] of cfg.repos.entries()) {
    const location = resolveRepoLocation(r.source, baseDir);
    const secret = embeddedSecret(location);
    if (secret) {
      const line = lineOf(doc, lc, ["repos", i, "source"]);
      throw new ConfigError(
        `${shown}${line ? `:${line}` : ""}: field "repos[${i}].source" ${secret}; ` +
          "secrets come only from the environment (use a git credential helper or GIT_ASKPASS)",
      );
    }
    repos.push({ ...r, location });
  }
  const github = cfg.github?.app
    ? {
        ...cfg.github,
        app: { ...cfg.github.app, privateKeyFile: path.resolve(baseDir, cfg.github.app.privateKeyFile) },
      }
    : cfg.github;
  // Paths inside a cluster entry resolve against the config file, like every other path.
  const clusters = cfg.clusters?.map((c) => ({
    ...c,
    ...(c.files ? { files: c.files.map((f) => path.resolve(baseDir, f)) } : {}),
    ...(c.kubernetes?.kubeconfig
      ? { kubernetes: { ...c.kubernetes, kubeconfig: path.resolve(baseDir, c.kubernetes.kubeconfig) } }
      : {}),
    ...(c.argocdApi?.caFile
      ? { argocdApi: { ...c.argocdApi, caFile: path.resolve(baseDir, c.argocdApi.caFile) } }
      : {}),
  }));
  return {
    ...cfg,
    ...(github ? { github } : {}),
    ...(clusters ? { clusters } : {}),
    file: path.resolve(file),
    database: path.resolve(baseDir, cfg.database),
    output: path.resolve(baseDir, cfg.output),
    cache: path.resolve(baseDir, cfg.cache),
    repos,
  };
}

export function loadConfig(file: string): LoadedConfig {
  return parseConfig(readConfigText(file, shownFile(file)), file);
}
