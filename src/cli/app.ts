import yargs, { type Argv } from "yargs";
import { ChangeproofError, ExitCode, isChangeproofError, messageOf, UsageError } from "../errors/index.js";
import { redact } from "../util/redact.js";
import { nearestOption } from "../util/suggest.js";
import { jsonLine, oneLine, shownText } from "../util/visible.js";
import { toolVersion } from "../version.js";
import { collectAll, printSummary, throwIfIncomplete } from "./commands/collect.js";
import { reportPeriod } from "./commands/report.js";
import { runsCommand } from "./commands/runs.js";
import { configFrom, type GlobalArgs, type Io, makeLogger, periodFrom, processIo } from "./context.js";

const EXIT_CODES = `Exit codes:
  0  success
  1  failure (a database, git or internal error; nothing stored was lost)
  2  bad usage or bad config (the message names the option, or the file, line and field)
  3  evidence incomplete: a source failed (recorded as a failed run; the rest was stored), or the
     report has gaps (it was written, and says so on its cover)
  4  locked: another collect or import is writing to the store; nothing was done (retry later)`;

function withGlobals<T>(y: Argv<T>) {
  return y
    .option("config", {
      alias: "c",
      type: "string",
      default: "changeproof.yaml",
      describe: "YAML config file (secrets come only from the environment)",
    })
    .option("db", { type: "string", describe: "SQLite store; overrides the config's `database`" })
    .option("json-logs", { type: "boolean", default: false, describe: "Logs on stderr as JSON lines" })
    .option("quiet", { alias: "q", type: "boolean", default: false, describe: "Only warnings and errors on stderr" })
    .option("debug", { type: "boolean", default: false, describe: "Debug logs, and stack traces on failure" });
}

function withPeriod<T>(y: Argv<T>) {
  return y
    .option("period", {
      type: "string",
      describe: "Audit period: 2026Q3, last-quarter, this-quarter, 2026-07, 2026 or 2026-07-01..2026-10-01",
    })
    .option("from", { type: "string", describe: "Period start (YYYY-MM-DD, UTC, inclusive); with --to" })
    .option("to", { type: "string", describe: "Period end (YYYY-MM-DD, UTC, exclusive); with --from" });
}

function globals(a: Record<string, unknown>): GlobalArgs {
  const s = (k: string): string | undefined => (typeof a[k] === "string" ? (a[k] as string) : undefined);
  return {
    config: s("config") ?? "changeproof.yaml",
    db: s("db"),
    period: s("period"),
    from: s("from"),
    to: s("to"),
    jsonLogs: a.jsonLogs === true,
    debug: a.debug === true,
    quiet: a.quiet === true,
  };
}

/** yargs' own messages, made to name what was typed and what was probably meant. */
function usageMessage(msg: string | undefined, argv: readonly string[], known: readonly string[]): string {
  if (!msg) return "bad usage";
  const typed = argv.find((a) => !a.startsWith("-"));
  if (msg.startsWith("Did you mean") && typed) return `unknown command "${typed}". ${msg}`;
  const unknown = /^Unknown arguments?: (.+)$/.exec(msg)?.[1];
  if (unknown) {
    return unknown
      .split(", ")
      .map((u) => {
        const hint = nearestOption(u, known);
        return `unknown option --${u}${hint ? ` (did you mean --${hint}?)` : ""}`;
      })
      .join("; ");
  }
  return msg;
}

/** Runs the CLI and returns the exit code; prints expected failures as one line, never a stack. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const debug = argv.includes("--debug");
  const cli = withGlobals(yargs([...argv]))
    .scriptName("changeproof")
    .usage(
      "changeproof: SOC 2 change-management evidence from git, GitHub and GitOps reconcilers.\n\nUsage: $0 <command> [options]",
    )
    .command(
      "collect",
      "Harvest every configured source into the store (incremental): git history; Flux v1 sync tags and notes; with a clusters section, Argo CD and Flux sync records; with a github section, pull requests, reviews, access and protection",
      (y) =>
        y
          .option("export-dir", {
            type: "string",
            describe:
              "Also write each cluster run's records there as NDJSON, for `changeproof import` on another machine",
          })
          .example("$0 collect -c changeproof.yaml", "collect all repositories in the config")
          .example(
            "$0 collect --export-dir /evidence",
            "in the cluster (CronJob): keep the records and drop NDJSON files for the report machine",
          )
          .example(
            "GITHUB_TOKEN=... $0 collect",
            "with a github section: the token comes from the environment (github.tokenEnv), or a GitHub App",
          )
          .example("$0 collect --json-logs", "as a cron job: JSON logs on stderr, exit 3 if a source failed")
          .epilogue(EXIT_CODES),
      async (a) => {
        const g = globals(a);
        const log = makeLogger(g, io);
        const summary = await collectAll(configFrom(g), log, io.now, {
          env: process.env,
          ...(typeof a.exportDir === "string" ? { exportDir: a.exportDir } : {}),
        });
        printSummary(summary, io.out);
        throwIfIncomplete(summary);
      },
    )
    .command(
      "report",
      "Judge a period's changes and render the evidence (HTML, PDF, changes and findings as JSON and CSV, manifest) from the store",
      (y) =>
        withPeriod(y)
          .example("$0 report --period 2026Q3", "the third quarter of 2026")
          .example("$0 report --period last-quarter", "the last complete quarter (this-quarter: the one under way)")
          .example("$0 report --from 2026-07-01 --to 2026-10-01", "an explicit window, end excluded")
          .epilogue(`Without a period, the last complete quarter is reported.\n\n${EXIT_CODES}`),
      async (a) => {
        const g = globals(a);
        const log = makeLogger(g, io);
        const period = periodFrom(g, io.now());
        const r = await reportPeriod(configFrom(g), period, log, io.now);
        for (const f of r.files) io.out(`${r.dir}/${f}`);
        if (r.gaps.length > 0) {
          throw new ChangeproofError(
            "incomplete",
            "E_GAPS",
            `report written, but its evidence is incomplete: ${r.gaps.map((g) => oneLine(g, 1000)).join("; ")}`,
          );
        }
      },
    )
    .command(
      "sample",
      "Draw a reproducible random sample of a period's change population (prints the seed and the population's SHA-256)",
      (y) =>
        withPeriod(y)
          .option("size", {
            type: "string",
            describe: "How many changes (default by population: 1-5 all, 6-50 10, 51-250 20, more 25)",
          })
          .option("seed", { type: "string", describe: "The seed (HMAC key); default: a new random one, printed" })
          .option("json", {
            type: "boolean",
            default: false,
            describe: "One JSON object: seed, population hash, drawn changes",
          })
          .example("$0 sample --period 2026Q3", "a new sample of the quarter's changes, with its seed")
          .example(
            "$0 sample --period 2026Q3 --seed 7f3a9c --size 25",
            "re-draw the same sample from the same population",
          )
          .epilogue(EXIT_CODES),
      async (a) => {
        const g = globals(a);
        const { sampleCommand } = await import("./commands/sample.js");
        await sampleCommand(
          configFrom(g),
          periodFrom(g, io.now()),
          {
            size: typeof a.size === "string" ? a.size : undefined,
            seed: typeof a.seed === "string" ? a.seed : undefined,
            json: a.json === true,
          },
          io.out,
        );
      },
    )
    .command(
      "demo",
      "Build the bundled demo organisation, collect it and write its report under <output>/demo/",
      (y) =>
        y
          .option("output", { alias: "o", type: "string", default: "reports", describe: "Report folder" })
          .option("workdir", {
            type: "string",
            describe: "Where to build the demo repositories (default: <output>/demo/org, rebuilt each run)",
          })
          .example(
            "$0 demo",
            "writes reports/demo/2026Q3/ (changes.{html,pdf,json,csv}, findings.{json,csv}) and prints each rule's verdicts",
          )
          .epilogue(EXIT_CODES),
      async (a) => {
        const g = globals(a);
        // Loaded on demand: the demo carries the fake GitHub (graphql-js and GitHub's schema).
        const { runDemo } = await import("./commands/demo.js");
        await runDemo({
          output: String(a.output),
          workdir: typeof a.workdir === "string" ? a.workdir : undefined,
          log: makeLogger(g, io),
          out: io.out,
          now: io.now,
        });
      },
    )
    .command("config", "Work with the config file (subcommand: check)", (y) =>
      y
        .command(
          "check",
          "Validate the config and check that every repository and protected branch can be reached",
          (yy) =>
            yy
              .option("offline", { type: "boolean", default: false, describe: "Do not contact remote repositories" })
              .example("$0 config check -c changeproof.yaml", "validate and reach every repository")
              .epilogue(EXIT_CODES),
          async (a) => {
            const g = globals(a);
            const { checkConfig } = await import("./commands/config-check.js");
            for (const line of await checkConfig(configFrom(g), a.offline === true)) io.out(line);
          },
        )
        .demandCommand(1, "`changeproof config` needs a subcommand: `changeproof config check`"),
    )
    .command(
      "import <files..>",
      "Import NDJSON record files written by `collect --export-dir` (files or folders of *.ndjson)",
      (y) =>
        y
          .positional("files", { type: "string", array: true, describe: "Export files, or folders holding them" })
          .option("allow-unknown-clusters", {
            type: "boolean",
            default: false,
            describe: "Import files from clusters the config does not name (refused otherwise)",
          })
          .example("$0 import /evidence/", "every export in the folder; files imported before are skipped")
          .epilogue(
            `A file is checked whole (line count and SHA-256) before anything is stored; a cut-off or corrupted file is refused. The check is not a signature: keep the export folder writable only by the collector.\n\n${EXIT_CODES}`,
          ),
      async (a) => {
        const g = globals(a);
        const { importCommand } = await import("./commands/reconciler.js");
        importCommand(
          configFrom(g),
          (a.files as string[] | undefined) ?? [],
          makeLogger(g, io),
          io.now,
          io.out,
          a.allowUnknownClusters === true,
        );
      },
    )
    .command("receive", "Receive pushed records (subcommand: flux)", (y) =>
      y
        .command(
          "flux",
          "Listen for notification-controller's generic-hmac (or generic) webhook and store each Flux event once",
          (yy) =>
            yy
              .option("cluster", { type: "string", demandOption: true, describe: "The cluster the events come from" })
              .option("listen", {
                type: "string",
                default: "127.0.0.1:9292",
                describe: "host:port (in a pod: 0.0.0.0:9292)",
              })
              .option("path", { type: "string", default: "/", describe: "The path the Provider posts to" })
              .option("hmac-key-env", {
                type: "string",
                default: "FLUX_WEBHOOK_HMAC_KEY",
                describe:
                  "Environment variable with the generic-hmac Provider secret's token (X-Signature is verified)",
              })
              .option("token-env", {
                type: "string",
                describe: "Environment variable with a bearer token the Provider sends (generic provider with headers)",
              })
              .option("max-body-bytes", {
                type: "number",
                default: 1048576,
                describe: "Larger bodies are refused (413)",
              })
              .option("roll-seconds", {
                type: "number",
                default: 3600,
                describe: "Seal the receiver's run and start a new one this often (each sealed run is exported)",
              })
              .option("export-dir", {
                type: "string",
                describe: "Write each sealed run's events there as NDJSON, for `changeproof import` on another machine",
              })
              .example(
                "FLUX_WEBHOOK_HMAC_KEY=... $0 receive flux --cluster prod --listen 0.0.0.0:9292",
                "bad signatures get 401 and store nothing; a redelivered event is stored once",
              )
              .epilogue(`Stops on SIGTERM or SIGINT, sealing its run.\n\n${EXIT_CODES}`),
          async (a) => {
            const g = globals(a);
            const { receiveFlux } = await import("./commands/reconciler.js");
            const maxBody = Number(a.maxBodyBytes);
            if (!Number.isInteger(maxBody) || maxBody < 1)
              throw new UsageError("--max-body-bytes must be a whole number above 0");
            const stopped = new Promise<void>((resolve) => {
              process.once("SIGTERM", () => resolve());
              process.once("SIGINT", () => resolve());
            });
            await receiveFlux(
              configFrom(g),
              {
                cluster: String(a.cluster),
                listen: String(a.listen),
                path: String(a.path),
                hmacKeyEnv: String(a.hmacKeyEnv),
                tokenEnv: typeof a.tokenEnv === "string" ? a.tokenEnv : undefined,
                maxBodyBytes: maxBody,
                rollSeconds: Math.max(1, Number(a.rollSeconds) || 3600),
                exportDir: typeof a.exportDir === "string" ? a.exportDir : undefined,
              },
              process.env,
              makeLogger(g, io),
              io.now,
              io.out,
              stopped,
            );
          },
        )
        .demandCommand(1, "`changeproof receive` needs a subcommand: `changeproof receive flux`"),
    )
    .command(
      "runs",
      "List collection runs and verify the run ledger's hash chain",
      (y) =>
        y
          .option("limit", { type: "string", default: "20", describe: "How many recent runs to list" })
          .option("json", { type: "boolean", default: false, describe: "One JSON object per run, then the verdict" })
          .example("$0 runs", "recent runs, and whether the ledger is intact (exit 1 if not)")
          .epilogue(EXIT_CODES),
      async (a) => {
        const g = globals(a);
        const limit = /^\d+$/.test(String(a.limit)) ? Number(a.limit) : Number.NaN;
        if (!Number.isInteger(limit) || limit < 1) {
          throw new UsageError(`--limit "${String(a.limit)}" must be a whole number above 0`);
        }
        await runsCommand(configFrom(g), limit, a.json === true, io.out);
      },
    )
    .demandCommand(1, "name a command: collect, report, sample, demo, config check, runs, import or receive flux")
    .strict()
    .recommendCommands()
    .version(toolVersion)
    .help()
    .alias("h", "help")
    .epilogue(`Config: see config.example.yaml. Docs: README.md.\n\n${EXIT_CODES}`)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      // The options of the command being parsed, as yargs itself knows them, so a hint never names
      // an option that command does not take. (getOptions is public but missing from yargs' types.)
      const options = (cli as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions();
      throw new UsageError(usageMessage(msg, argv, Object.keys(options.key)));
    });

  try {
    await cli.parseAsync();
    return ExitCode.ok;
  } catch (e) {
    return report(e, io, debug, argv.includes("--json-logs"));
  }
}

/** The one place a failure becomes output: one line (a JSON object with --json-logs) and an exit code. */
function report(e: unknown, io: Io, debug: boolean, json: boolean): number {
  let err: ChangeproofError;
  if (isChangeproofError(e)) err = e;
  else if (e instanceof Error && e.name === "YError") err = new UsageError(e.message, { cause: e });
  else {
    err = new ChangeproofError(
      "internal",
      "E_INTERNAL",
      `internal error: ${messageOf(e)} (run with --debug for details)`,
      {
        cause: e,
      },
    );
  }
  const stack = (): string[] => {
    const out: string[] = [];
    for (let c: unknown = err; c instanceof Error; c = c.cause) out.push(shownText(c.stack ?? c.message));
    return out;
  };
  if (json) {
    const line: Record<string, unknown> = {
      time: io.now().toISOString(),
      level: "fatal",
      msg: redact(err.message),
      code: err.code,
      exitCode: err.exitCode,
    };
    if (debug) line.stack = stack();
    io.err(`${jsonLine(line)}\n`);
    return err.exitCode;
  }
  io.err(`changeproof: ${shownText(err.message).split("\n").join("\nchangeproof: ")}\n`);
  if (err.kind === "usage") io.err("Run `changeproof --help` for usage.\n");
  if (debug) for (const s of stack()) io.err(`${s}\n`);
  return err.exitCode;
}
