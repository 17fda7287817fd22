// Trains a teacher or distills a student on a stored dataset through lib/recsys's pipeline, saves the
// artifact under ARTIFACTS_DIR/<trainingRunId>/ and records TrainingRun + Model. Idempotent: the
// TrainingRun is keyed by the JobRun id and the Model by the TrainingRun, so a re-run after a crash
// overwrites its own artifact and rows instead of adding new ones.
import { PermanentJobError, type JobContext } from "../context";
import type { TrainInput } from "../definitions";

export async function train(input: TrainInput, ctx: JobContext): Promise<{ modelId: string; trainingRunId: string }> {
  void input;
  void ctx;
  throw new PermanentJobError("the training pipeline (lib/recsys/pipeline) is not wired yet");
}
