import { readFileSync } from "node:fs";
import path from "node:path";
import { isMap, isScalar, LineCounter, type Node, parseDocument } from "yaml";
import type { z } from "zod";
import { ConfigError, messageOf } from "../errors/index.js";
import { redact } from "../util/redact.js";
import { nearest } from "../util/suggest.js";
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

function fieldName(p: readonly PropertyKey[]): string {
  let out = "";
  for (const k of p) {
    if (typeof k === "number") out += `[${k}]`;
    else out += out ? `.${String(k)}` : String(k);
  }
  return out || "(top level)";
}

function suggestion(unknown: string, parent: readonly PropertyKey[]): string {
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

function describeIssue(
  file: string,
  doc: ReturnType<typeof parseDocument>,
  lc: LineCounter,
  issue: z.core.$ZodIssue,
): string {
  const p = issue.path.filter((k): k is PathKey => typeof k !== "symbol");
  if (issue.code === "unrecognized_keys") {
    return issue.keys
      .map((k) => {
        const line = lineOf(doc, lc, p, k);
        return `${file}${line ? `:${line}` : ""}: unknown field "${fieldName([...p, k])}"${suggestion(k, p)}`;
      })
      .join("\n");
  }
  const line = lineOf(doc, lc, p);
  const present = doc.hasIn(p);
  const msg = !present ? "is required" : issue.message.replace(/^Invalid (input|option): /, "");
  return `${file}${line ? `:${line}` : ""}: field "${fieldName(p)}" ${msg}`;
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

/** Parse and validate config text; every problem is reported with file, line and field. */
export function parseConfig(text: string, file: string): LoadedConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => {
      const pos = lc.linePos(e.pos[0]);
      return `${file}${pos ? `:${pos.line}:${pos.col}` : ""}: invalid YAML: ${e.message.split("\n")[0]}`;
    });
    throw new ConfigError(lines.join("\n"));
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  if (raw === null || raw === undefined) throw new ConfigError(`${file}: config is empty`);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => describeIssue(file, doc, lc, i)).join("\n"));
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
        `${file}${line ? `:${line}` : ""}: field "repos[${i}].source" ${secret}; ` +
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
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file (copy config.example.yaml to start one, or pass --config)"
        : code === "EACCES"
          ? "permission denied"
          : messageOf(e);
    throw new ConfigError(`${file}: cannot read config: ${why}`, { cause: e });
  }
  return parseConfig(text, file);
}
