// Rules that cannot be sidestepped: before a person approves the cutover, no stage sends more than the
// installation's cap (default 50%) to the candidate, whatever the experiment's ramp says.
import { afterEach, describe, expect, it } from "vitest";
import { currentCandidatePercent } from "@/lib/experiments/assignment";
import { DEFAULT_MAX_UNAPPROVED_PERCENT, experimentConfigSchema, maxUnapprovedPercent } from "@/lib/experiments/config";
import { candidateShare } from "@/lib/experiments/rollout";

afterEach(() => {
  delete process.env.UNDERSTUDY_MAX_UNAPPROVED_PERCENT;
});

describe("candidate share before approval", () => {
  it("refuses a ramp like [99, 100], naming the stage and the cap", () => {
    expect(DEFAULT_MAX_UNAPPROVED_PERCENT).toBe(50);
    const r = experimentConfigSchema.safeParse({ name: "x", candidateModelId: "m", rampSchedule: [99, 100], minStageMinutes: 0, minStageExposures: 0 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({
      path: ["rampSchedule", 0],
      message: "stages before the approved cutover may send at most 50% to the candidate",
    });
    expect(experimentConfigSchema.safeParse({ name: "x", candidateModelId: "m", rampSchedule: [10, 50, 100] }).success).toBe(true);
  });

  it("is configurable by the operator (UNDERSTUDY_MAX_UNAPPROVED_PERCENT), within 1..99", () => {
    process.env.UNDERSTUDY_MAX_UNAPPROVED_PERCENT = "20";
    expect(maxUnapprovedPercent()).toBe(20);
    expect(experimentConfigSchema.safeParse({ name: "x", candidateModelId: "m", rampSchedule: [5, 50, 100] }).success).toBe(false);
    expect(maxUnapprovedPercent({ UNDERSTUDY_MAX_UNAPPROVED_PERCENT: "100" })).toBe(50);
  });

  it("holds an older stored ramp to the cap in serving; only the approved last stage reaches 100%", () => {
    expect(currentCandidatePercent([99, 100], 0)).toBe(50);
    expect(candidateShare("running", [99, 100], 0)).toBe(0.5);
    expect(candidateShare("awaiting_approval", [99, 100], 0)).toBe(0.5);
    expect(currentCandidatePercent([99, 100], 1)).toBe(100);
    expect(currentCandidatePercent([1, 5, 20, 50, 100], 2)).toBe(20);
  });
});
