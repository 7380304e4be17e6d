import type { ExportWriter, WrittenFile } from "./export-writer.js";

export type ManifestEntry = WrittenFile;

/**
 * manifest.json: the SHA-256 and size of every other file written, so a reader can prove a copy
 * is unaltered. Written last: a folder without it is not a finished report.
 */
export function writeManifest(out: ExportWriter, meta: Record<string, unknown>): void {
  out.file("manifest.json", `${JSON.stringify({ ...meta, files: out.written() }, null, 2)}\n`);
}
