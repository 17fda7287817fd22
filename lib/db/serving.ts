// What the serving processes poll (about once a second): the production slot and the live experiment.
import type pg from "pg";
import { db as defaultDb, type Db } from "./client";
import { parseGuardrails } from "@/lib/experiments/config";
import { LIVE_STATUSES } from "@/lib/experiments/statuses";

/** The serving slot whose model answers everyone outside an experiment. */
export const PRODUCTION_SLOT = "production";

/** The production slot and its model, or null before any model serves. */
export function getProductionSlot(db: Db = defaultDb()) {
  return db.servingSlot.findUnique({
    where: { name: PRODUCTION_SLOT },
    include: { model: { select: { id: true, name: true, role: true, dimension: true, teacherId: true } } },
  });
}

const modelSelect = {
  id: true,
  artifactUri: true,
  dataset: { select: { id: true, name: true, source: true, sourcePath: true, storagePath: true } },
} as const;

export interface DatasetSource {
  id: string;
  name: string;
  source: string;
  sourcePath: string | null;
  storagePath: string | null;
}

export interface ModelSource {
  id: string;
  artifactUri: string;
  dataset: DatasetSource;
}

export interface LiveExperiment {
  id: string;
  salt: string;
  status: string;
  rampSchedule: number[];
  currentStageIndex: number;
  control: ModelSource | null;
  candidate: ModelSource | null;
  /** guardrails.distillation.teacherAgreementSampleRate */
  slateSampleRate?: number;
}

export interface RoutingState {
  production: { version: number; model: ModelSource } | null;
  experiment: LiveExperiment | null;
  /** more than one experiment was live; the most recently started one is served */
  ignoredExperimentIds: string[];
}

export async function readRoutingState(db: Db): Promise<RoutingState> {
  const [slot, experiments] = await Promise.all([
    db.servingSlot.findUnique({ where: { name: PRODUCTION_SLOT }, select: { version: true, model: { select: modelSelect } } }),
    db.experiment.findMany({
      where: { status: { in: [...LIVE_STATUSES] } },
      orderBy: [{ startedAt: "desc" }, { createdAt: "desc" }],
      take: 5,
      select: {
        id: true,
        salt: true,
        status: true,
        rampSchedule: true,
        currentStageIndex: true,
        guardrails: true,
        variants: { select: { key: true, model: { select: modelSelect } } },
      },
    }),
  ]);
  const [live, ...ignored] = experiments;
  return {
    production: slot ? { version: slot.version, model: slot.model } : null,
    experiment: live
      ? {
          id: live.id,
          salt: live.salt,
          status: live.status,
          rampSchedule: live.rampSchedule,
          currentStageIndex: live.currentStageIndex,
          control: live.variants.find((v) => v.key === "control")?.model ?? null,
          candidate: live.variants.find((v) => v.key === "candidate")?.model ?? null,
          slateSampleRate: parseGuardrails(live.guardrails).distillation.teacherAgreementSampleRate,
        }
      : null,
    ignoredExperimentIds: ignored.map((e) => e.id),
  };
}

/**
 * A digest of everything readRoutingState returns (the production slot with its model and dataset, every
 * live experiment with its variants' models and datasets): one cheap statement instead of the ORM read.
 */
const ROUTING_FINGERPRINT = `
  SELECT md5(
    coalesce((SELECT row_to_json(x)::text FROM (
      SELECT s.version, s."modelId", m."artifactUri", row_to_json(d) AS dataset
      FROM "ServingSlot" s JOIN "Model" m ON m.id = s."modelId" JOIN "Dataset" d ON d.id = m."datasetId"
      WHERE s.name = 'production') x), '-')
    || coalesce((SELECT json_agg(x ORDER BY x.id)::text FROM (
      SELECT e.id, e.salt, e.status, e."rampSchedule", e."currentStageIndex", e."startedAt", e."createdAt", e."guardrails",
        (SELECT json_agg(json_build_object('key', v.key, 'model', v."modelId", 'uri', vm."artifactUri", 'dataset', row_to_json(vd)) ORDER BY v.key)
         FROM "Variant" v JOIN "Model" vm ON vm.id = v."modelId" JOIN "Dataset" vd ON vd.id = vm."datasetId"
         WHERE v."experimentId" = e.id) AS variants
      FROM "Experiment" e WHERE e.status::text = ANY($1::text[])) x), '-')
  ) AS fingerprint`;

/**
 * readRoutingState behind a fingerprint: each call runs one prepared statement on `pool` and repeats the
 * last state while nothing it depends on changed; any change reads the state again through Prisma. (The
 * ORM read cost ~13 ms of CPU against ~0.6 ms for the fingerprint on our loaded 2-core machine, and every
 * serving process polls about once a second.) The state is read after the fingerprint, so a change in
 * between shows as a new fingerprint on the next call: never staler than one refresh.
 */
export function fingerprintedRoutingState(db: Db, pool: pg.Pool): () => Promise<RoutingState> {
  let last: { fingerprint: string; state: RoutingState } | null = null;
  return async () => {
    const { rows } = await pool.query<{ fingerprint: string }>({
      name: "understudy_routing_fingerprint",
      text: ROUTING_FINGERPRINT,
      values: [[...LIVE_STATUSES]],
    });
    const fingerprint = rows[0].fingerprint;
    if (last && last.fingerprint === fingerprint) return last.state;
    const state = await readRoutingState(db);
    last = { fingerprint, state };
    return state;
  };
}
