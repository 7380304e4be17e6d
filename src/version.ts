import { readFileSync } from "node:fs";

/** The tool's version, recorded with every collection run and printed on every report. */
export const toolVersion: string = (() => {
  for (const rel of ["../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "changeproof" && pkg.version) return pkg.version;
    } catch {
      // not at this depth: source tree vs dist/src
    }
  }
  return "0.0.0-unknown";
})();

/** Root of the installed package (holds templates/). */
export const packageRoot: URL = (() => {
  for (const rel of ["../", "../../"]) {
    const u = new URL(rel, import.meta.url);
    try {
      const pkg = JSON.parse(readFileSync(new URL("package.json", u), "utf8")) as { name?: string };
      if (pkg.name === "changeproof") return u;
    } catch {
      // keep looking
    }
  }
  return new URL("../", import.meta.url);
})();
