import type { LoadedConfig } from "../../config/load.js";
import { StoreError } from "../../errors/index.js";
import { withStore } from "../../store/db.js";
import { listRuns, type RunRow, verifyLedger } from "../../store/ledger.js";
import { redact } from "../../util/redact.js";
import { jsonLine, oneLine } from "../../util/visible.js";

function scopeText(r: RunRow): string {
  try {
    const s = JSON.parse(r.scope) as { repo?: unknown };
    return typeof s.repo === "string" ? s.repo : r.scope;
  } catch {
    return r.scope;
  }
}

function countsText(r: RunRow): string {
  if (!r.counts) return "";
  const c = JSON.parse(r.counts) as Record<string, number>;
  return Object.entries(c)
    .filter(([, v]) => v !== 0)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
}

/** Aligned columns under a header row. */
function tabulate(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}

/** Recent runs, newest first, and the ledger's verdict; a broken chain is a failure (exit 1). */
export function runsCommand(
  cfg: LoadedConfig,
  limit: number,
  json: boolean,
  out: (line: string) => void,
): Promise<void> {
  return withStore(cfg.database, { readonly: true, doing: "reading the run ledger" }, (db) => {
    const runs = listRuns(db, limit);
    const check = verifyLedger(db);
    if (json) {
      for (const r of runs) {
        out(
          jsonLine({
            ...r,
            scope: JSON.parse(r.scope) as unknown,
            parameters: JSON.parse(r.parameters) as unknown,
            counts: r.counts ? (JSON.parse(r.counts) as unknown) : null,
            error: r.error === null ? null : redact(r.error),
          }),
        );
      }
      out(jsonLine({ ledger: check }));
    } else {
      const table = [["RUN", "SOURCE", "SCOPE", "STATUS", "STARTED", "FINISHED", "COUNTS / ERROR"]];
      for (const r of runs) {
        table.push([
          String(r.id),
          r.source,
          scopeText(r),
          r.status,
          r.started_at,
          r.finished_at ?? "-",
          r.error === null ? countsText(r) : oneLine(r.error, 1000),
        ]);
      }
      for (const line of tabulate(table)) out(line);
      out(
        `ledger: ${check.sealed} of ${check.runs} runs sealed; hash chain ${check.intact ? "intact" : "BROKEN"}${check.head ? `; head ${check.head}` : ""}`,
      );
    }
    if (!check.intact) {
      throw new StoreError(
        "E_LEDGER_BROKEN",
        `run ledger of ${cfg.database} is not intact: ${check.problems.join("; ")}`,
      );
    }
  });
}
