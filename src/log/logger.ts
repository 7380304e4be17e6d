import { redact } from "../util/redact.js";
import { jsonLine, oneLine } from "../util/visible.js";

/**
 * Log lines quote git, GitHub and clusters: each is one line with secrets masked and control
 * characters shown (an object named with ESC sequences must not drive the terminal), capped
 * generously so a flood of text can't bury the log.
 */
const MAX_LINE = 4000;

export type LogLevel = "debug" | "info" | "warn" | "error";
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Progress of a long step; a terminal shows it in place, other sinks log it at debug. */
  progress(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  json?: boolean;
  /** Where output goes (whole chunks, newlines included); stderr by default, because stdout carries data. */
  write?: (chunk: string) => void;
  isTTY?: boolean;
  now?: () => Date;
}

function formatFields(fields: LogFields): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    const s = String(v);
    parts.push(`${k}=${/[\s"=]/.test(s) ? JSON.stringify(s) : s}`);
  }
  return parts.join(" ");
}

interface SinkState {
  progressShown: boolean;
}

export function createLogger(
  options: LoggerOptions = {},
  bound: LogFields = {},
  state: SinkState = { progressShown: false },
): Logger {
  const level = options.level ?? "info";
  const out = options.write ?? ((chunk: string) => process.stderr.write(chunk));
  const write = (line: string): void => out(`${line}\n`);
  const now = options.now ?? (() => new Date());
  const tty = options.isTTY ?? false;

  const emit = (lvl: LogLevel, msg: string, fields: LogFields = {}): void => {
    if (ORDER[lvl] < ORDER[level]) return;
    const all = { ...bound, ...fields };
    if (state.progressShown) {
      out("\r\x1b[2K");
      state.progressShown = false;
    }
    if (options.json) {
      const rec: Record<string, unknown> = { time: now().toISOString(), level: lvl, msg: redact(msg) };
      for (const [k, v] of Object.entries(all)) {
        if (v !== undefined) rec[k] = typeof v === "string" ? redact(v) : v;
      }
      write(jsonLine(rec));
    } else {
      const f = formatFields(all);
      write(oneLine(`${lvl === "info" ? "" : `${lvl}: `}${msg}${f ? ` ${f}` : ""}`, MAX_LINE));
    }
  };

  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    progress: (m, f) => {
      if (tty && !options.json && ORDER.info >= ORDER[level]) {
        const f2 = formatFields({ ...bound, ...f });
        out(`\r\x1b[2K${oneLine(`… ${m}${f2 ? ` ${f2}` : ""}`, MAX_LINE)}`);
        state.progressShown = true;
      } else {
        emit("debug", m, f);
      }
    },
    child: (fields) => createLogger(options, { ...bound, ...fields }, state),
  };
}

/** A logger that drops everything: for library callers that don't care. */
export const silentLogger: Logger = createLogger({ level: "error", write: () => {} });
