import { isMap, isScalar, LineCounter, type Node, parseDocument, visit } from "yaml";
import type { z } from "zod";
import { ConfigError, messageOf } from "../errors/index.js";
import { nearest } from "../util/suggest.js";
import { oneLine } from "../util/visible.js";
import { checkConfigBudget } from "./limits.js";

/**
 * A YAML file a person writes (the config, the exceptions register): bounded before it is parsed
 * (limits.ts), then validated by a zod schema, every problem reported as one line with file,
 * line and field ("did you mean" for a mistyped key), values echoed capped and with controls
 * shown.
 */

type PathKey = string | number;

/** A value from the config (a key, a name, a YAML message quoting the text) as an error shows it. */
const SHOWN_MAX = 200;
/** The config file's name as messages show it: one line, controls visible, at most PATH_MAX. */
export const shownFile = (file: string): string => oneLine(file, 4096);
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

/** Field names per object path ("" the top level, "repos", "github.app"), for "did you mean". */
export type KnownFields = Record<string, readonly string[]>;

function suggestion(unknown: string, parent: readonly PropertyKey[], knownFields: KnownFields): string {
  if (unknown.length > MAX_HINTED_KEY) return "";
  const key = parent.filter((k) => typeof k === "string").join(".");
  const best = nearest(unknown, knownFields[key] ?? []);
  return best ? ` (did you mean "${best}"?)` : "";
}

/** The source line of the node at `p`, or of its nearest ancestor that exists. */
export function lineOf(
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
  knownFields: KnownFields,
): Generator<string> {
  for (const issue of issues) {
    const p = issue.path.filter((k): k is PathKey => typeof k !== "symbol");
    if (issue.code === "unrecognized_keys") {
      for (const k of issue.keys) {
        const line = lineOf(doc, lc, p, k);
        const field = fieldName([...p, oneLine(k, SHOWN_MAX)]);
        yield `${file}${line ? `:${line}` : ""}: unknown field "${field}"${suggestion(k, p, knownFields)}`;
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

export interface YamlFile<T> {
  data: T;
  /** The file's name as messages show it. */
  shown: string;
  /** The line of a field, for problems found after validation (a reference to nothing). */
  line(p: readonly PathKey[], key?: string): number | undefined;
}

/**
 * Parses and validates `text` read from `file` (`what` names it in messages: "config",
 * "exceptions register"). Any problem is a ConfigError (exit 2) of one line per problem.
 */
export function parseYamlFile<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  knownFields: KnownFields,
  what = "config",
): YamlFile<z.output<S>> {
  const shown = shownFile(file);
  checkConfigBudget(text, shown, what);
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
  if (raw === null || raw === undefined) throw new ConfigError(`${shown}: ${what} is empty`);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const { issues } = parsed.error;
    throw new ConfigError(listed(shown, describeIssues(shown, doc, lc, issues, knownFields), problemCount(issues)));
  }
  return { data: parsed.data, shown, line: (p, key) => lineOf(doc, lc, p, key) };
}
