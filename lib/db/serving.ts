// What the serving processes poll (about once a second): the production slot and the live experiment.
import type { Db } from "./client";

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
}

export interface RoutingState {
  production: { version: number; model: ModelSource } | null;
  experiment: LiveExperiment | null;
  /** more than one experiment was live; the most recently started one is served */
  ignoredExperimentIds: string[];
}

/**
 * Statuses in which an experiment splits traffic: `running`, and `awaiting_approval` (the last stage
 * before the cutover keeps serving its split while a person decides). Paused, finished and rolled-back
 * experiments send everyone to production.
 */
export const LIVE_STATUSES = ["running", "awaiting_approval"] as const;

export async function readRoutingState(db: Db): Promise<RoutingState> {
  const [slot, experiments] = await Promise.all([
    db.servingSlot.findUnique({ where: { name: "production" }, select: { version: true, model: { select: modelSelect } } }),
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
        }
      : null,
    ignoredExperimentIds: ignored.map((e) => e.id),
  };
}
