// The demo's closed loop from the dashboard: the demo world after drift (the synthetic generator's drift
// mode, the demo dataset's seed and size) sent through the events ingestion /api/v1/events uses, folded
// into a live snapshot, then a live drift check, whose breach queues a redistillation through the usual
// single-flight path. Offered only on a demo install (the seeded demo dataset carries params.demo) and
// only for the production model trained on the demo dataset (or a later snapshot of it).
import type { LiveDriftCheckInput, RedistillInput, TrainInput } from "@/lib/jobs/definitions";
import { generateSynthetic } from "@/lib/recsys/data/synthetic";
import { replayInteractions } from "@/lib/recsys/data/replay";
import type { NotificationInput } from "@/lib/notifications/types";
import type { Dataset, JobRun } from "@/lib/db/generated/client";
import type { Db } from "@/lib/db/client";
import { runLiveDriftCheck } from "./drift";
import { ingestEvents } from "@/lib/db/events";
import { MAX_EVENTS_PER_BATCH } from "@/lib/http/requests";
import { redistillInFlight } from "./redistill";
import { DEMO_DATASET } from "@/lib/db/seed";
import { buildLiveSnapshot, snapshotLineage } from "@/lib/db/snapshots";

export interface DemoDrift {
  /** 0 = no drift, 1 = fully shifted tastes and popularity */
  phase: number;
  /** share of the catalogue that is new after the drift */
  newItemFraction: number;
}

export const DEFAULT_DEMO_DRIFT: DemoDrift = { phase: 1, newItemFraction: 0.3 };

export interface ReplayEvent {
  eventId: string;
  type: "click";
  userId: string;
  itemId: string;
  timestamp: number;
}

/**
 * The drifted demo world as click events, one user's history after another (training items, then the
 * validation and test items), one second apart from `startMs`. Event ids carry `runId`, so sending the
 * same run twice stores it once.
 */
export function driftedDemoEvents(drift: DemoDrift, opts: { runId: string; startMs: number }): ReplayEvent[] {
  const { name: _name, ...world } = DEMO_DATASET;
  void _name;
  const drifted = generateSynthetic({ ...world, drift });
  return replayInteractions(drifted, { startMs: opts.startMs, stepMs: 1000 }).map((e, k) => ({ eventId: `replay-${opts.runId}-${k}`, type: "click", ...e }));
}

/** The dataset the demo seed created, or null when this is not a demo install (or DEMO=false says so now). */
export async function findDemoDataset(db: Db, env: Record<string, string | undefined> = process.env): Promise<Dataset | null> {
  if (env.DEMO?.trim().toLowerCase() === "false") return null;
  return db.dataset.findFirst({ where: { source: "synthetic", params: { path: ["demo"], equals: true } }, orderBy: { createdAt: "asc" } });
}

export interface ReplayRefusal {
  status: 403 | 409;
  code: "not_demo" | "not_production" | "not_demo_dataset" | "replay_in_flight" | "redistill_in_flight";
  message: string;
}

/**
 * Why drifted demo traffic cannot be replayed for this model now, or null when it can. `inFlight`
 * also refuses while a replay or a redistillation of the model is queued or running (the route's
 * check; the job itself is one of them).
 */
export async function demoReplayRefusal(
  db: Db,
  modelId: string,
  opts: { inFlight: boolean; env?: Record<string, string | undefined> },
): Promise<ReplayRefusal | null> {
  const demo = await findDemoDataset(db, opts.env);
  if (!demo) {
    return {
      status: 403,
      code: "not_demo",
      message:
        "Replaying drifted demo traffic is only for a demo install (seeded with the demo data; DEMO in the README). Send real traffic to POST /api/v1/events.",
    };
  }
  const [model, slot] = await Promise.all([
    db.model.findUnique({ where: { id: modelId }, include: { dataset: true } }),
    db.servingSlot.findUnique({ where: { name: "production" }, select: { modelId: true } }),
  ]);
  if (!model || slot?.modelId !== model.id) {
    return {
      status: 409,
      code: "not_production",
      message: `Only the production model's traffic is replayed: ${model?.name ?? modelId} does not serve production${slot ? "" : " (no model does yet: the demo teacher takes the slot when it finishes training)"}.`,
    };
  }
  const root = snapshotLineage(model.dataset)?.rootDatasetId ?? model.datasetId;
  if (root !== demo.id) {
    return {
      status: 409,
      code: "not_demo_dataset",
      message: `${model.name} was trained on "${model.dataset.name}", not on the demo dataset "${demo.name}": the drifted demo world is not its traffic.`,
    };
  }
  if (opts.inFlight) {
    const replay = await db.jobRun.findFirst({ where: { queue: "demo-replay", status: { in: ["queued", "running"] } }, select: { id: true, status: true } });
    if (replay) return { status: 409, code: "replay_in_flight", message: `A replay of drifted demo traffic is already ${replay.status} (job ${replay.id}).` };
    const redistill = await redistillInFlight(db, model.id);
    if (redistill) return { status: 409, code: "redistill_in_flight", message: `${redistill}: replay again once it has finished.` };
  }
  return null;
}

export interface DemoReplayHooks {
  db: Db;
  jobRunId: string;
  log: (message: string, level?: "info" | "warn" | "error") => Promise<void>;
  progress: (fraction: number, message: string) => void;
  fail: (message: string) => Error;
  enqueueTrain: (input: TrainInput) => Promise<JobRun>;
  enqueueRedistill: (input: RedistillInput) => Promise<JobRun>;
  notify?: (input: NotificationInput) => Promise<unknown>;
}

export interface DemoReplayInput extends DemoDrift {
  modelId: string;
}

export async function runDemoReplay(input: DemoReplayInput, h: DemoReplayHooks) {
  const refusal = await demoReplayRefusal(h.db, input.modelId, { inFlight: false });
  if (refusal) throw h.fail(refusal.message);
  const own = await h.db.jobRun.findUniqueOrThrow({ where: { id: h.jobRunId }, select: { createdAt: true } });
  // timestamps from the job's creation, so a retried attempt sends the very same events (stored once)
  const events = driftedDemoEvents(input, { runId: h.jobRunId, startMs: own.createdAt.getTime() - 3_600_000 });
  await h.log(
    `replaying the demo world at drift phase ${input.phase} (${input.newItemFraction} new items): ${events.length} clicks through the events ingestion`,
  );
  let accepted = 0;
  let duplicates = 0;
  for (let k = 0; k < events.length; k += MAX_EVENTS_PER_BATCH) {
    const outcome = await ingestEvents(h.db, events.slice(k, k + MAX_EVENTS_PER_BATCH));
    if (outcome.rejected.length > 0)
      throw h.fail(`the events ingestion rejected replayed event ${outcome.rejected[0].index + k}: ${JSON.stringify(outcome.rejected[0].issues)}`);
    accepted += outcome.accepted;
    duplicates += outcome.duplicates;
    const sent = Math.min(k + MAX_EVENTS_PER_BATCH, events.length);
    h.progress(0.6 * (sent / events.length), `sent ${sent}/${events.length} events`);
  }
  await h.log(`events ingested: ${accepted} stored, ${duplicates} already stored`);

  h.progress(0.6, "folding the live events into a snapshot");
  const snapshot = await buildLiveSnapshot(
    { modelId: input.modelId },
    { db: h.db, jobRunId: h.jobRunId, log: h.log, progress: (f, m) => h.progress(0.6 + 0.2 * f, m), fail: h.fail },
  );

  h.progress(0.8, "checking drift against the training snapshot");
  const check: LiveDriftCheckInput = { kind: "live", modelId: input.modelId, redistill: true, trigger: "manual" };
  const drift = await runLiveDriftCheck(check, {
    db: h.db,
    jobRunId: h.jobRunId,
    log: h.log,
    progress: (f, m) => h.progress(0.8 + 0.2 * f, m),
    fail: h.fail,
    enqueueTrain: h.enqueueTrain,
    enqueueRedistill: h.enqueueRedistill,
    notify: h.notify,
  });
  const redistill = "redistill" in drift ? drift.redistill : undefined;
  const outcome = !drift.driftDetected
    ? "no drift detected"
    : !redistill || "skipped" in redistill
      ? `drift detected; no redistillation (${redistill ? redistill.skipped : "not asked"})`
      : redistill.reused
        ? `drift detected; redistillation already covered (${redistill.reason})`
        : `drift detected: redistillation queued (job ${redistill.jobRunId})`;
  await h.log(outcome);
  h.progress(1, outcome);
  return {
    events: events.length,
    accepted,
    duplicates,
    snapshot,
    driftCheckId: drift.driftCheckId,
    driftDetected: drift.driftDetected,
    score: drift.score,
    redistill: redistill ?? null,
  };
}
