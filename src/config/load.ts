import path from "node:path";
import { ConfigError } from "../errors/index.js";
import { redact } from "../util/redact.js";
import { readConfigText } from "./limits.js";
import { type Config, configSchema, knownFields, type RepoConfig } from "./schema.js";
import { parseYamlFile, shownFile } from "./yaml-file.js";

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
  const { data: cfg, shown, line: lineOf } = parseYamlFile(text, file, configSchema, knownFields);
  const baseDir = path.dirname(path.resolve(file));
  const repos: ResolvedRepo[] = [];
  for (const [i, r] of cfg.repos.entries()) {
    const location = resolveRepoLocation(r.source, baseDir);
    const secret = embeddedSecret(location);
    if (secret) {
      const line = lineOf(["repos", i, "source"]);
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
    ...(cfg.exceptions ? { exceptions: path.resolve(baseDir, cfg.exceptions) } : {}),
    ...(cfg.report?.templates
      ? { report: { ...cfg.report, templates: path.resolve(baseDir, cfg.report.templates) } }
      : {}),
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
