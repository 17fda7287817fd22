// Queue → handler. Only the worker imports this (handlers pull in training code).
import type { JOB_DEFINITIONS, JobDefinition } from "@/lib/jobs/definitions";
import type { JobContext } from "./context";
import type { QueueName } from "@/lib/jobs/queues";
import { QUEUES } from "@/lib/jobs/queues";
import { selftest } from "./handlers/selftest";
import { generateDataset } from "./handlers/generate-dataset";
import { train } from "./handlers/train";
import { evaluateRollouts } from "./handlers/rollout";
import { driftCheck } from "./handlers/drift-check";
import { webhookDeliver } from "./handlers/webhook-deliver";
import { snapshotBuild } from "./handlers/snapshot-build";
import { redistill } from "./handlers/redistill";
import { importDataset } from "./handlers/import-dataset";
import { authHousekeeping } from "./handlers/auth-housekeeping";
import { compareModels } from "./handlers/compare-models";
import { distillationSignals } from "./handlers/distillation-signals";
import { demoReplay } from "./handlers/demo-replay";

/** A handler returns a JSON-serialisable result, stored in JobRun.result. */
export type JobHandler<Input> = (input: Input, ctx: JobContext) => Promise<unknown>;

/** each queue's handler takes that queue's parsed input */
type Handlers = { [Q in QueueName]: JobHandler<(typeof JOB_DEFINITIONS)[Q] extends JobDefinition<infer Input> ? Input : never> };

export const JOB_HANDLERS: Handlers = {
  [QUEUES.selftest]: selftest,
  [QUEUES.generateDataset]: generateDataset,
  [QUEUES.train]: train,
  [QUEUES.rolloutEvaluate]: evaluateRollouts,
  [QUEUES.driftCheck]: driftCheck,
  [QUEUES.webhookDeliver]: webhookDeliver,
  [QUEUES.snapshotBuild]: snapshotBuild,
  [QUEUES.redistill]: redistill,
  [QUEUES.importDataset]: importDataset,
  [QUEUES.authHousekeeping]: authHousekeeping,
  [QUEUES.compareModels]: compareModels,
  [QUEUES.distillationSignals]: distillationSignals,
  [QUEUES.demoReplay]: demoReplay,
};

export function jobHandler(queue: QueueName): JobHandler<unknown> {
  return JOB_HANDLERS[queue] as JobHandler<unknown>;
}
