import type { LoadedConfig } from "../../config/load.js";
import { StoreError } from "../../errors/index.js";
import { withStore } from "../../store/db.js";
import { listRuns, verifyLedger } from "../../store/ledger.js";

/** Recent runs, newest first, and the ledger's verdict; a broken chain is a failure (exit 1). */
export function runsCommand(cfg: LoadedConfig, limit: number, out: (line: string) => void): Promise<void> {
  return withStore(cfg.database, { readonly: true, doing: "reading the run ledger" }, (db) => {
    for (const r of listRuns(db, limit)) {
      out(
        [r.id, r.source, r.status, r.started_at, r.finished_at ?? "-", r.scope, r.counts ?? "", r.error ?? ""]
          .join("\t")
          .trimEnd(),
      );
    }
    const check = verifyLedger(db);
    out(
      `ledger: ${check.sealed} sealed of ${check.runs} runs; chain ${check.intact ? "intact" : "BROKEN"}${check.head ? `; head ${check.head}` : ""}`,
    );
    if (!check.intact) {
      throw new StoreError(
        "E_LEDGER_BROKEN",
        `run ledger of ${cfg.database} is not intact: ${check.problems.join("; ")}`,
      );
    }
  });
}
