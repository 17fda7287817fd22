// Shared CLI plumbing: flag parsing (node:util parseArgs + zod), usage errors with exit code 2 (never a
// stack trace), progress bars on stderr (cli-progress) and plain-text metric tables.
import { parseArgs, type ParseArgsConfig } from "node:util";
import cliProgress from "cli-progress";
import { z } from "zod";
import type { ProgressFn } from "../types";
import { DatasetError } from "../data/errors";
import { ArtifactError } from "../artifact";
import { TrainingAborted } from "../models/train";
import { ImportError } from "../interop/errors";

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** parse argv with parseArgs (strict) and validate/coerce with a zod schema; problems become UsageErrors */
export function parseFlags<S extends z.ZodType>(argv: string[], options: Options, schema: S): z.infer<S> {
  let values: Record<string, unknown>;
  try {
    const parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
    values = parsed.values as Record<string, unknown>;
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ""));
  }
  const result = schema.safeParse(values);
  if (!result.success) {
    const issue = result.error.issues[0];
    const flag = issue.path.length > 0 ? `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())}` : "flags";
    throw new UsageError(`${flag}: ${issue.message}`);
  }
  return result.data;
}

/** a number flag given as a string: coerced, with a clear message when it is not a number */
export const numberFlag = (what: string) =>
  z.string().transform((s, ctx) => {
    const n = Number(s);
    if (s.trim() === "" || !Number.isFinite(n)) {
      ctx.addIssue({ code: "custom", message: `expected ${what}, got '${s}'` });
      return z.NEVER;
    }
    return n;
  });

export const intFlag = (what: string, min = 0) =>
  numberFlag(what).refine((n) => Number.isInteger(n) && n >= min, { message: `expected ${what} (an integer >= ${min})` });

export const positiveFlag = (what: string) => numberFlag(what).refine((x) => x > 0, "must be positive");
export const nonNegativeFlag = (what: string) => numberFlag(what).refine((x) => x >= 0, "must be 0 or more");
export const fractionFlag = (what: string) => numberFlag(what).refine((x) => x > 0 && x <= 1, "must be in (0, 1]");

/** parseArgs options for a flags schema: a switch where the schema takes `true`, else a string; --help is also -h */
export function optionsOf(schema: z.ZodObject): Options {
  return Object.fromEntries(
    Object.entries(schema.shape).map(([name, flag]) => [
      name,
      (flag as z.ZodType).safeParse(true).success ? { type: "boolean", ...(name === "help" && { short: "h" }) } : { type: "string" },
    ]),
  );
}

/** run a CLI main: known problems print `error: …` (+ usage for UsageError) and exit 2 */
export async function runCli(usage: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    const err = e as Error;
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n\n${usage}\n`);
      process.exit(2);
    }
    if (err instanceof DatasetError || err instanceof ArtifactError || err instanceof ImportError || err instanceof RangeError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exit(2);
    }
    if (err instanceof TrainingAborted) {
      process.stderr.write("aborted\n");
      process.exit(130);
    }
    process.stderr.write(`error: ${err?.message ?? String(e)}\n`);
    process.exit(1);
  }
}

/** runCli for a CLI whose flags are `schema`: -h/--help prints the usage, otherwise main gets the parsed flags */
export function runFlagsCli<S extends z.ZodObject>(usage: string, schema: S, main: (flags: z.infer<S>) => Promise<void>): Promise<void> {
  return runCli(usage, async () => {
    const argv = process.argv.slice(2);
    if (argv.includes("-h") || argv.includes("--help")) {
      process.stdout.write(usage + "\n");
      return;
    }
    await main(parseFlags(argv, optionsOf(schema), schema));
  });
}

/** a progress bar on stderr; returns the ProgressFn and a stop function */
export function progressBar(label: string): { progress: ProgressFn; stop: () => void } {
  if (!process.stderr.isTTY) {
    // not a terminal (logs, CI): one line per 5% step
    let last = -1;
    return {
      progress: (f, msg) => {
        const step = Math.floor(f * 20);
        if (step !== last) {
          last = step;
          process.stderr.write(`[${label}] ${(f * 100).toFixed(0)}% ${msg}\n`);
        }
      },
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: `${label.padEnd(16)} {bar} {percentage}% | {eta_formatted} | {msg}`, stream: process.stderr, etaBuffer: 50, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1000, 0, { msg: "" });
  return {
    progress: (f, msg) => bar.update(Math.round(Math.min(1, Math.max(0, f)) * 1000), { msg }),
    stop: () => bar.stop(),
  };
}

/** Several progress bars at once (parallel runs): one line each on a terminal, else one log line per 5% step. */
export function progressBars(): { bar(label: string): { progress: ProgressFn; stop: () => void }; stopAll: () => void } {
  if (!process.stderr.isTTY) return { bar: (label) => progressBar(label), stopAll: () => {} };
  const multi = new cliProgress.MultiBar(
    { format: `{label} {bar} {percentage}% | {eta_formatted} | {msg}`, stream: process.stderr, etaBuffer: 50, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  return {
    bar: (label) => {
      const b = multi.create(1000, 0, { msg: "", label: label.padEnd(16) });
      return { progress: (f, msg) => b.update(Math.round(Math.min(1, Math.max(0, f)) * 1000), { msg }), stop: () => b.stop() };
    },
    stopAll: () => multi.stop(),
  };
}

/** fixed-width text table */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === "number" ? (Number.isInteger(c) ? String(c) : c.toFixed(4)) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

/** abort controller wired to SIGINT/SIGTERM */
export function interruptSignal(): AbortSignal {
  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return ac.signal;
}
