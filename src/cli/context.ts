import path from "node:path";
import { type LoadedConfig, loadConfig } from "../config/load.js";
import { UsageError } from "../errors/index.js";
import { createLogger, type Logger } from "../log/logger.js";
import { type Period, parsePeriod, periodFromRange } from "../period.js";
import { shownText } from "../util/visible.js";

/** Options every command shares. */
export interface GlobalArgs {
  config: string;
  db?: string | undefined;
  period?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  jsonLogs: boolean;
  debug: boolean;
  quiet: boolean;
}

export interface Io {
  /** Data (summaries, paths): stdout. */
  out: (line: string) => void;
  /** Logs and progress: stderr. */
  err: (chunk: string) => void;
  stderrIsTTY: boolean;
  now: () => Date;
}

export const processIo: Io = {
  // Data lines quote git, GitHub and clusters (names, errors, gaps): nothing in them may drive the
  // terminal or reveal a credential. JSON output is escaped before it gets here (jsonLine).
  out: (line) => process.stdout.write(`${shownText(line)}\n`),
  err: (chunk) => process.stderr.write(chunk),
  stderrIsTTY: process.stderr.isTTY === true,
  now: () => new Date(),
};

export function makeLogger(args: GlobalArgs, io: Io): Logger {
  return createLogger({
    level: args.debug ? "debug" : args.quiet ? "warn" : "info",
    json: args.jsonLogs,
    write: io.err,
    isTTY: io.stderrIsTTY,
    now: io.now,
  });
}

export function configFrom(args: GlobalArgs): LoadedConfig {
  const cfg = loadConfig(args.config);
  return args.db ? { ...cfg, database: path.resolve(args.db) } : cfg;
}

/** --period, or --from/--to; default: the last complete quarter before `now`. */
export function periodFrom(args: GlobalArgs, now: Date): Period {
  if (args.period && (args.from || args.to)) throw new UsageError("give either --period or --from/--to, not both");
  if (args.period) return parsePeriod(args.period, now);
  if (args.from || args.to) {
    if (!args.from || !args.to) throw new UsageError("--from and --to go together");
    return periodFromRange(args.from, args.to);
  }
  return parsePeriod("last-quarter", now);
}
