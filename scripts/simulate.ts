// `npm run simulate -- --experiment <id> --users N --rps R --duration S [--base-url URL] [--api-key KEY]
//  [--data DIR] [--k 10] [--seed 1] [--concurrency 32]`
// Replays users of the experiment's dataset through the running app's HTTP API (lib/experiments/simulator.ts).
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { createDb } from "@/lib/db/client";
import { runSimulation, SimulationError, type SimulationSummary } from "@/lib/experiments/simulator";
import { loadDataset } from "@/lib/recsys/data/load";
import { readDatasetOfRow } from "@/lib/serving/model-loader";
import type { Dataset } from "@/lib/recsys/types";

const USAGE = `usage: npm run simulate -- --experiment <id> --users <N> --rps <R> --duration <seconds>
         [--base-url http://127.0.0.1:3000] [--api-key <key> | env UNDERSTUDY_API_KEY]
         [--data <dataset dir>] [--k 10] [--seed 1] [--concurrency 32]
  --data defaults to the stored dataset of the experiment's models (needs DATABASE_URL).`;

class UsageError extends Error {}

function positive(name: string, raw: string | undefined, fallback?: number, integer = true): number {
  if (raw === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name} must be a positive ${integer ? "integer" : "number"}, got "${raw}"`);
  }
  return value;
}

async function resolveDataset(experimentId: string, dataDir: string | undefined): Promise<Dataset> {
  if (dataDir) return loadDataset(dataDir);
  const url = process.env.DATABASE_URL;
  if (!url) throw new UsageError("pass --data <dir> (the dataset the models were trained on), or set DATABASE_URL so the experiment's dataset can be found");
  const db = createDb(url);
  try {
    const experiment = await db.experiment.findUnique({
      where: { id: experimentId },
      select: {
        status: true,
        variants: {
          select: { key: true, model: { select: { dataset: { select: { id: true, name: true, source: true, storagePath: true, sourcePath: true } } } } },
        },
      },
    });
    if (!experiment) throw new UsageError(`no experiment with id "${experimentId}"`);
    if (experiment.status !== "running" && experiment.status !== "awaiting_approval") {
      console.warn(`warning: experiment ${experimentId} is ${experiment.status}: the API serves production only, not its arms`);
    }
    const variant = experiment.variants.find((v) => v.key === "candidate") ?? experiment.variants[0];
    if (!variant) throw new UsageError(`experiment ${experimentId} has no variants`);
    const { dataset } = variant.model;
    if (!dataset.storagePath && !dataset.sourcePath) throw new UsageError(`the dataset of experiment ${experimentId} has no stored copy: pass --data <dir>`);
    return readDatasetOfRow(dataset);
  } finally {
    await db.$disconnect();
  }
}

function printSummary(summary: SimulationSummary): void {
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  console.log(
    `\n${summary.requests} requests in ${summary.elapsedSeconds.toFixed(1)} s (${(summary.requests / summary.elapsedSeconds).toFixed(1)} req/s), ${summary.errors} errors`,
  );
  const rows = Object.entries(summary.variants).map(([variant, v]) => ({
    variant,
    requests: v.requests,
    users: v.users,
    ctr: pct(v.clicks / Math.max(1, v.requests)),
    "hit rate": pct(v.hits / Math.max(1, v.requests)),
    "conv/user": (v.conversions / Math.max(1, v.users)).toFixed(3),
    "revenue/user": (v.revenue / Math.max(1, v.users)).toFixed(2),
    "p50 ms": v.latencyP50Ms.toFixed(1),
    "p95 ms": v.latencyP95Ms.toFixed(1),
  }));
  console.table(rows);
  const e = summary.events;
  console.log(`events: ${e.sent} sent, ${e.accepted} accepted, ${e.duplicates} duplicates, ${e.rejected} rejected, ${e.failedBatches} failed batches`);
  if (summary.errorSamples.length > 0) console.log(`errors, e.g.:\n  ${summary.errorSamples.join("\n  ")}`);
  if (summary.experimentId && !summary.experimentIdsSeen.includes(summary.experimentId)) {
    console.warn(`warning: no response carried experiment ${summary.experimentId}: is it running?`);
  }
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        experiment: { type: "string" },
        users: { type: "string" },
        rps: { type: "string" },
        duration: { type: "string" },
        "base-url": { type: "string", default: process.env.UNDERSTUDY_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}` },
        "api-key": { type: "string", default: process.env.UNDERSTUDY_API_KEY },
        data: { type: "string" },
        k: { type: "string" },
        seed: { type: "string" },
        concurrency: { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.experiment) throw new UsageError("--experiment is required");
  if (!values["api-key"])
    throw new UsageError("--api-key is required (or set UNDERSTUDY_API_KEY); create one under Admin → API keys with the recommend and events scopes");
  const users = positive("users", values.users);
  const rps = positive("rps", values.rps, undefined, false);
  const duration = positive("duration", values.duration, undefined, false);
  const k = positive("k", values.k, 10);
  if (k > 100) throw new UsageError("--k must be at most 100");
  try {
    new URL(values["base-url"]!);
  } catch {
    throw new UsageError(`--base-url is not a URL: "${values["base-url"]}"`);
  }

  const dataset = await resolveDataset(values.experiment, values.data);
  const bar = new cliProgress.SingleBar(
    { format: "simulating |{bar}| {value}/{total} requests | {errors} errors | ETA {eta}s", hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  const total = Math.max(1, Math.round(rps * duration));
  bar.start(total, 0, { errors: 0 });
  let summary: SimulationSummary;
  try {
    summary = await runSimulation({
      baseUrl: values["base-url"]!,
      apiKey: values["api-key"],
      dataset,
      experimentId: values.experiment,
      users,
      rps,
      durationSeconds: duration,
      k,
      seed: positive("seed", values.seed, 1),
      concurrency: positive("concurrency", values.concurrency, 32),
      onProgress: (p) => bar.update(p.sent, { errors: p.errors }),
    });
  } finally {
    bar.stop();
  }
  if (values.json) console.log(JSON.stringify(summary, null, 2));
  else printSummary(summary);
  return summary.errors > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    if (error instanceof SimulationError) {
      console.error(`error: ${error.message}`);
      process.exit(1);
    }
    const cause = (error as { cause?: { code?: string } }).cause;
    if (cause?.code === "ECONNREFUSED") {
      console.error("error: nothing answers at the base URL: start the app (npm start) or pass --base-url");
      process.exit(1);
    }
    console.error(`error: ${(error as Error).message ?? error}`);
    process.exit(1);
  },
);
