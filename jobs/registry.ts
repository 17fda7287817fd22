// Queue → handler. Only the worker imports this (handlers pull in training code).
import type { CompareModelsInput, DriftCheckInput, GenerateDatasetInput, RolloutEvaluateInput, SelftestInput, TrainInput } from "./definitions";
import type { JobContext } from "./context";
import type { QueueName } from "./queues";
import { QUEUES } from "./queues";
import { selftest } from "./handlers/selftest";
import { generateDataset } from "./handlers/generate-dataset";
import { train } from "./handlers/train";
import { evaluateRollouts } from "./handlers/rollout";
import { driftCheck } from "./handlers/drift-check";
import { compareModels } from "./handlers/compare-models";

/** A handler returns a JSON-serialisable result, stored in JobRun.result. */
export type JobHandler<Input> = (input: Input, ctx: JobContext) => Promise<unknown>;

type Handlers = {
  [QUEUES.selftest]: JobHandler<SelftestInput>;
  [QUEUES.generateDataset]: JobHandler<GenerateDatasetInput>;
  [QUEUES.train]: JobHandler<TrainInput>;
  [QUEUES.rolloutEvaluate]: JobHandler<RolloutEvaluateInput>;
  [QUEUES.driftCheck]: JobHandler<DriftCheckInput>;
  [QUEUES.compareModels]: JobHandler<CompareModelsInput>;
};

export const JOB_HANDLERS: Handlers = {
  [QUEUES.selftest]: selftest,
  [QUEUES.generateDataset]: generateDataset,
  [QUEUES.train]: train,
  [QUEUES.rolloutEvaluate]: evaluateRollouts,
  [QUEUES.driftCheck]: driftCheck,
  [QUEUES.compareModels]: compareModels,
};

export function jobHandler(queue: QueueName): JobHandler<unknown> {
  return JOB_HANDLERS[queue] as JobHandler<unknown>;
}
