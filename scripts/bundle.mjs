// Bundles the built CLI (dist/src) into dist/bundle: a cron job starts `changeproof collect` every
// few minutes, and loading yargs, zod and yaml from hundreds of small files costs more than the
// no-op run itself. The git reader's worker is a second entry point beside main.js; the report
// builders stay separate chunks, loaded only by `report`. Packages with native code or data files
// they find relative to themselves stay external.
import { rmSync } from "node:fs";
import { build } from "esbuild";

// Chunk names carry content hashes: without this, old chunks pile up beside the new ones.
rmSync("dist/bundle", { recursive: true, force: true });

await build({
  entryPoints: ["dist/src/cli/main.js", "dist/src/collectors/git/log-worker.js"],
  entryNames: "[name]",
  outdir: "dist/bundle",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  logLevel: "warning",
  external: [
    "better-sqlite3",
    "pdfkit",
    "handlebars",
    "simple-git",
    "dejavu-fonts-ttf",
    "@octokit/graphql-schema",
    // Loaded only for a cluster read through the Kubernetes API; its optional native helpers
    // (ws's bufferutil) and data files must resolve from its own folder.
    "@kubernetes/client-node",
  ],
  // Some bundled CommonJS dependencies call require(); ESM has none of its own.
  banner: {
    js: "import { createRequire as __changeproofRequire } from 'node:module'; const require = __changeproofRequire(import.meta.url);",
  },
});
