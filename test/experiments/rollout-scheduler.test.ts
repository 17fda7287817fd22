// The scheduler's evaluation against real rows: report SQL → decision → one transaction with stage
// rows and an audit row written by "scheduler".
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useTestDatabase as setupTestDatabase } from "../helpers/db";
import { evaluateExperiment, evaluateLiveExperiments } from "@/lib/services/experiments";
import { endLiveExperiments, seedWorld, startedExperiment, writeArmsTraffic, writeHealthyTraffic, type World } from "./rollout-fixtures";

const t = setupTestDatabase("exp_sched");
const T0 = new Date("2026-03-01T12:00:00Z");
const at = (m: number) => new Date(T0.getTime() + m * 60_000);

describe("rollout scheduler", () => {
  let world: World;
  beforeAll(async () => {
    world = await seedWorld(t().db);
  });
  beforeEach(async () => {
    await endLiveExperiments(t().db);
  });

  /** a CTR experiment started at T0, traffic on its first stage at minute 1 (healthy, or both arms' as given), one evaluation at `evaluateAt` */
  async function step(
    config: { minStageExposures?: number; minStageMinutes?: number },
    tag: string,
    evaluateAt: Date,
    arms?: Pick<Parameters<typeof writeArmsTraffic>[2], "candidate" | "control">,
  ) {
    const exp = await startedExperiment(t().db, world, { kpis: ["ctr"], ...config }, T0);
    if (arms) await writeArmsTraffic(t().db, world, { experimentId: exp.id, tag, at: at(1), ...arms });
    else await writeHealthyTraffic(t().db, world, exp.id, 10, at(1), tag);
    return { exp, outcome: await evaluateExperiment(t().db, exp.id, evaluateAt) };
  }

  const audits = (experimentId: string) => t().db.auditLog.findMany({ where: { entityType: "experiment", entityId: experimentId }, orderBy: { id: "asc" } });

  it("advances a stage whose gates pass, in one transaction with the stage rows and an audit row", async () => {
    const { db } = t();
    const { exp, outcome } = await step({}, "adv", at(2));
    expect(outcome?.decision.action, outcome?.decision.reason).toBe("advance");
    expect(outcome?.applied).toBe(true);

    const after = await db.experiment.findUniqueOrThrow({ where: { id: exp.id }, include: { stages: { orderBy: { index: "asc" } } } });
    expect(after.status).toBe("running");
    expect(after.currentStageIndex).toBe(1);
    expect(after.stages.map((s) => s.status)).toEqual(["passed", "active", "pending"]);
    expect(after.stages[0].endedAt).toEqual(at(2));
    expect(after.stages[1].startedAt).toEqual(at(2));
    const numbers = (after.stages[0].lastDecision as { numbers: { exposures: { candidate: number } } }).numbers;
    expect(numbers.exposures.candidate).toBe(400);
    // the report the decision was made on is kept for the dashboard
    const kept = (after.stages[0].lastDecision as { report: { kpis: { kpi: string }[]; variants: { candidate: { exposures: number } } } }).report;
    expect(kept.kpis.map((k) => k.kpi)).toEqual(["ctr"]);
    expect(kept.variants.candidate.exposures).toBe(400);

    const log = await audits(exp.id);
    const advance = log.find((a) => a.action === "experiment.advance");
    expect(advance?.actorLabel).toBe("scheduler");
    expect(advance?.actorId).toBeNull();
    expect(advance?.reason).toMatch(/all gates pass at 10%: advancing to 50%/);
    expect((advance?.data as { numbers: { srmPValue: number } }).numbers.srmPValue).toBeGreaterThan(0.001);
  });

  it("holds below the minimum exposures: numbers on the stage, no audit row, no state change", async () => {
    const { db } = t();
    const { exp, outcome } = await step({ minStageExposures: 5000 }, "hold", at(2));
    expect(outcome?.decision.action).toBe("hold");
    expect(outcome?.decision.reason).toMatch(/400 of 5000 candidate exposures/);
    const after = await db.experiment.findUniqueOrThrow({ where: { id: exp.id }, include: { stages: { orderBy: { index: "asc" } } } });
    expect(after.status).toBe("running");
    expect(after.currentStageIndex).toBe(0);
    expect((after.stages[0].lastDecision as { action: string }).action).toBe("hold");
    expect((await audits(exp.id)).map((a) => a.action)).toEqual(["experiment.create", "experiment.start"]);
  });

  it("holds before the minimum stage duration", async () => {
    const { outcome } = await step({ minStageMinutes: 60 }, "dur", at(30));
    expect(outcome?.decision.action).toBe("hold");
    expect(outcome?.decision.reason).toMatch(/30\.0 of 60 minutes/);
  });

  it("pauses on a latency guardrail breach", async () => {
    const { db } = t();
    const { exp, outcome } = await step({}, "slow", at(2), { candidate: { users: 200, latencyUs: 15_000 }, control: { users: 1800 } });
    expect(outcome?.decision.action).toBe("pause");
    const after = await db.experiment.findUniqueOrThrow({ where: { id: exp.id }, include: { stages: true } });
    expect(after.status).toBe("paused");
    expect(after.stages.find((s) => s.index === 0)?.status).toBe("paused");
    const pause = (await audits(exp.id)).find((a) => a.action === "experiment.pause");
    expect(pause?.actorLabel).toBe("scheduler");
    expect(pause?.reason).toMatch(/p95 latency 15\.00 ms > ceiling 10\.00 ms/);
    expect((pause?.data as { numbers: { latencyP95Ms: { candidate: number } } }).numbers.latencyP95Ms.candidate).toBe(15);
    // a paused experiment is not evaluated again
    expect(await evaluateExperiment(db, exp.id, at(3))).toBeNull();
  });

  it("rolls back to 0% on a severe error-rate breach and leaves production alone", async () => {
    const { db } = t();
    const { exp, outcome } = await step({}, "err", at(2), { candidate: { users: 200, failEvery: 10 }, control: { users: 1800 } });
    expect(outcome?.decision.action).toBe("rollback");
    expect(outcome?.decision.reason).toMatch(/error rate 10\.00% > severe threshold 5\.00%/);
    const after = await db.experiment.findUniqueOrThrow({ where: { id: exp.id }, include: { stages: true } });
    expect(after.status).toBe("rolled_back");
    expect(after.endedAt).toEqual(at(2));
    expect(after.stages.find((s) => s.index === 0)?.status).toBe("rolled_back");
    expect((await db.servingSlot.findUniqueOrThrow({ where: { name: "production" } })).modelId).toBe(world.teacherId);
    expect((await audits(exp.id)).some((a) => a.action === "experiment.rollback" && a.actorLabel === "scheduler")).toBe(true);
  });

  it("holds on a sample-ratio mismatch", async () => {
    const { db } = t();
    const exp = await startedExperiment(db, world, { kpis: ["ctr"] }, T0);
    // 20% of users in the candidate arm while the stage expects 10%
    await writeHealthyTraffic(db, world, exp.id, 20, at(1), "srm");
    const outcome = await evaluateExperiment(db, exp.id, at(2));
    expect(outcome?.decision.action).toBe("hold");
    expect(outcome?.decision.reason).toMatch(/^SRM hold: sample ratio mismatch: 400 of 2000 users in candidate/);
    expect(outcome?.decision.numbers.srmPValue).toBeLessThan(1e-6);
  });

  it("awaits approval instead of taking the last step to 100%", async () => {
    const { db } = t();
    const exp = await startedExperiment(db, world, { kpis: ["ctr"] }, T0);
    await writeHealthyTraffic(db, world, exp.id, 10, at(1), "aw0");
    expect((await evaluateExperiment(db, exp.id, at(2)))?.decision.action).toBe("advance");
    await writeHealthyTraffic(db, world, exp.id, 50, at(3), "aw1");
    const outcome = await evaluateExperiment(db, exp.id, at(4));
    expect(outcome?.decision.action, outcome?.decision.reason).toBe("await_approval");
    const after = await db.experiment.findUniqueOrThrow({ where: { id: exp.id } });
    expect(after.status).toBe("awaiting_approval");
    expect(after.currentStageIndex).toBe(1);
    expect((await db.servingSlot.findUniqueOrThrow({ where: { name: "production" } })).modelId).toBe(world.teacherId);
    // still watched while waiting: evaluation holds with the numbers, nothing else
    expect((await evaluateExperiment(db, exp.id, at(5)))?.decision.action).toBe("hold");
  });

  it("acts once when two schedulers evaluate the same experiment at the same time", async () => {
    const { db } = t();
    const exp = await startedExperiment(db, world, { kpis: ["ctr"] }, T0);
    await writeHealthyTraffic(db, world, exp.id, 10, at(1), "race");
    const [a, b] = await Promise.all([evaluateExperiment(db, exp.id, at(2)), evaluateExperiment(db, exp.id, at(2))]);
    expect([a?.applied, b?.applied].sort()).toEqual([false, true]);
    const advances = (await audits(exp.id)).filter((x) => x.action === "experiment.advance");
    expect(advances).toHaveLength(1);
    expect((await db.experiment.findUniqueOrThrow({ where: { id: exp.id } })).currentStageIndex).toBe(1);
  });

  it("evaluateLiveExperiments evaluates the live experiment and reports what it did", async () => {
    const { db } = t();
    const exp = await startedExperiment(db, world, { kpis: ["ctr"] }, T0);
    await writeHealthyTraffic(db, world, exp.id, 10, at(1), "live");
    const results = await evaluateLiveExperiments(db, at(2));
    expect(results).toEqual([expect.objectContaining({ experimentId: exp.id, action: "advance", applied: true })]);
  });
});
