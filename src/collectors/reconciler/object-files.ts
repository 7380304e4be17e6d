import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { ClusterError, messageOf } from "../../errors/index.js";

/**
 * Objects exported with `kubectl get <kind> -o json` (a List, or one object) or `-o yaml` (one
 * or more documents), sorted by kind so each mapper gets its own. Anything else in the file is
 * named in a warning, never silently dropped.
 */

export interface FileObjects {
  byKind: Map<string, unknown[]>;
  warnings: string[];
}

function kindOf(o: unknown): string | undefined {
  const k = (o as { kind?: unknown } | null)?.kind;
  return typeof k === "string" ? k : undefined;
}

export function readObjectFiles(cluster: string, files: readonly string[]): FileObjects {
  const out: FileObjects = { byKind: new Map(), warnings: [] };
  const add = (file: string, o: unknown, where: string) => {
    const kind = kindOf(o);
    if (kind === "List" || /List$/.test(kind ?? "")) {
      const items = (o as { items?: unknown }).items;
      if (!Array.isArray(items)) {
        out.warnings.push(`${file}${where}: a ${kind} without items`);
        return;
      }
      for (const [i, item] of items.entries()) add(file, item, `${where} items[${i}]`);
      return;
    }
    if (!kind) {
      out.warnings.push(`${file}${where}: not a Kubernetes object (no kind); skipped`);
      return;
    }
    const list = out.byKind.get(kind);
    if (list) list.push(o);
    else out.byKind.set(kind, [o]);
  };
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new ClusterError("E_CLUSTER_FILE", `cluster ${cluster}: cannot read ${file}: ${messageOf(e)}`, {
        cause: e,
      });
    }
    let docs: unknown[];
    try {
      docs = [JSON.parse(text) as unknown];
    } catch {
      const parsed = parseAllDocuments(text);
      const list = Array.isArray(parsed) ? parsed : [parsed];
      const bad = list.find((d) => d.errors.length > 0);
      if (bad) {
        throw new ClusterError(
          "E_CLUSTER_FILE",
          `cluster ${cluster}: ${file} is neither JSON nor YAML: ${bad.errors[0]?.message.split("\n")[0] ?? ""}`,
        );
      }
      docs = list.map((d) => d.toJS({ maxAliasCount: 100 }) as unknown).filter((d) => d !== null && d !== undefined);
    }
    for (const [i, d] of docs.entries()) add(file, d, docs.length > 1 ? ` (document ${i + 1})` : "");
  }
  return out;
}
