// Counts to `steps` with progress and logs. Exercises the job system for real: cancellation (it checks
// its signal every step), retries (failAttempts), permanent failures, and resumption after a worker dies.
import type { SelftestInput } from "@/lib/jobs/definitions";
import { abortableDelay, PermanentJobError, type JobContext } from "../context";

export async function selftest(input: SelftestInput, ctx: JobContext): Promise<{ counted: number; attempt: number }> {
  const failThisAttempt = ctx.attempt <= input.failAttempts;
  const failAt = input.failAtStep ?? Math.ceil(input.steps / 2);
  await ctx.log(`counting to ${input.steps} (attempt ${ctx.attempt})`);
  if (input.strayRejection) void Promise.reject(new Error("selftest: stray rejection nobody awaits"));
  for (let step = 1; step <= input.steps; step++) {
    ctx.throwIfAborted();
    await abortableDelay(input.stepMs, ctx.signal);
    if (step === failAt && input.permanentFailure) throw new PermanentJobError(`selftest: permanent failure at step ${step}`);
    if (step === failAt && failThisAttempt) throw new Error(`selftest: planned failure at step ${step} of attempt ${ctx.attempt}`);
    ctx.progress((100 * step) / input.steps, `step ${step} of ${input.steps}`);
    if (step % Math.max(1, Math.floor(input.steps / 5)) === 0) await ctx.log(`reached ${step}`);
  }
  return { counted: input.steps, attempt: ctx.attempt };
}
