// The serving objects of this process (one router, one exposure batcher), created on first use so
// importing route modules never needs DATABASE_URL, and kept on globalThis so that every route bundle
// of the Next server shares them.
import { db, type Db } from "@/lib/db/client";
import { insertSlateSamples } from "@/lib/db/distillation-signals";
import { ExposureWriter, insertExposures, recordExposureLoss } from "@/lib/db/exposures";
import { createPgPool } from "@/lib/db/pg-pool";
import { fingerprintedRoutingState, readRoutingState } from "@/lib/db/serving";
import { ExposureBatcher } from "./exposure-batcher";
import { loadServingModel, loadWeightsFromArtifact, type WeightsLoader } from "./model-loader";
import { RecommendService } from "./recommend";
import { ServingRouter } from "./router";
import { SlateSampler } from "./slate-sampler";

export interface ServingRuntime {
  router: ServingRouter;
  batcher: ExposureBatcher;
  /** sampled candidate slates (teacher agreement) */
  slates: SlateSampler;
  service: RecommendService;
  /** flushes the exposure queue and stops the batcher */
  shutdown(): Promise<void>;
}

export interface ServingRuntimeOptions {
  flushMs?: number;
  refreshMs?: number;
  maxQueue?: number;
  /** where model weights come from (default: the artifact directory of the Model row) */
  loadWeights?: WeightsLoader;
  /**
   * connection string of `database`: exposures are then written by a prepared statement on a pg pool
   * beside Prisma (ExposureWriter), and the routing poll reads a fingerprint there before any ORM read;
   * without it, both go through Prisma
   */
  databaseUrl?: string;
}

export function createServingRuntime(database: Db, options: ServingRuntimeOptions = {}): ServingRuntime {
  const loadWeights = options.loadWeights ?? loadWeightsFromArtifact;
  const pool = options.databaseUrl ? createPgPool(options.databaseUrl) : null;
  const readState = pool ? fingerprintedRoutingState(database, pool) : () => readRoutingState(database);
  const router = new ServingRouter(readState, (source) => loadServingModel(source, loadWeights), {
    refreshMs: options.refreshMs,
  });
  const writer = pool ? new ExposureWriter(pool) : null;
  const batcher = new ExposureBatcher(
    {
      write: writer ? (rows) => writer.write(rows) : (rows) => insertExposures(database, rows),
      recordLoss: (entries) => recordExposureLoss(database, entries),
    },
    { flushMs: options.flushMs, maxQueue: options.maxQueue },
  );
  const slates = new SlateSampler((rows) => insertSlateSamples(database, rows), { flushMs: options.flushMs });
  return {
    router,
    batcher,
    slates,
    service: new RecommendService(router, batcher, undefined, slates),
    shutdown: async () => {
      router.stop();
      await Promise.all([batcher.stop(), slates.stop()]);
      await pool?.end();
    },
  };
}

const globalForServing = globalThis as unknown as { understudyServing?: ServingRuntime };

function envNumber(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

/** Replaces the process-wide runtime (tests and benchmarks that configure their own); returns the old one. */
export function replaceServingRuntime(runtime: ServingRuntime | undefined): ServingRuntime | undefined {
  const previous = globalForServing.understudyServing;
  globalForServing.understudyServing = runtime;
  return previous;
}

/** The process-wide runtime (FLUSH_MS, EXPOSURE_QUEUE_MAX and ROUTING_REFRESH_MS tune it). */
export function servingRuntime(): ServingRuntime {
  if (!globalForServing.understudyServing) {
    const runtime = createServingRuntime(db(), {
      databaseUrl: process.env.DATABASE_URL,
      flushMs: envNumber("FLUSH_MS"),
      maxQueue: envNumber("EXPOSURE_QUEUE_MAX"),
      refreshMs: envNumber("ROUTING_REFRESH_MS"),
    });
    globalForServing.understudyServing = runtime;
    flushOnShutdown(runtime);
  }
  return globalForServing.understudyServing;
}

/**
 * SIGTERM/SIGINT: Next's own handler first drains in-flight requests and then exits; our flush starts
 * at the signal and is a single INSERT, so it normally lands before that exit. Whatever it cannot write
 * is counted in ExposureLoss ("shutdown"); a hard kill is covered by the orphan-event count.
 */
function flushOnShutdown(runtime: ServingRuntime): void {
  let flushing: Promise<void> | null = null;
  const flush = () => {
    flushing ??= runtime.shutdown().catch((error) => console.error("[exposures] final flush failed:", error));
    return flushing;
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      // with nobody else listening (a plain Node server), restore the default: exit once flushed
      const othersListen = process.listenerCount(signal) > 0;
      void flush().finally(() => {
        if (!othersListen) process.kill(process.pid, signal);
      });
    });
  }
  process.once("beforeExit", () => void flush());
}
