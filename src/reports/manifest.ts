import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface ManifestEntry {
  file: string;
  sha256: string;
  bytes: number;
}

/** SHA-256 of every file written, so a reader can prove a copy is unaltered. */
export function writeManifest(dir: string, files: readonly string[], meta: Record<string, unknown>): string {
  const entries: ManifestEntry[] = [...files].sort().map((f) => {
    const data = readFileSync(path.join(dir, f));
    return { file: f, sha256: createHash("sha256").update(data).digest("hex"), bytes: data.length };
  });
  const out = path.join(dir, "manifest.json");
  writeFileSync(out, `${JSON.stringify({ ...meta, files: entries }, null, 2)}\n`);
  return out;
}
