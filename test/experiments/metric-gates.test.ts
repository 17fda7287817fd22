// The rollout gates judge the experiment's catalogue metrics: the primary and every guardrail metric,
// each in its own direction against its own margin, through the real report and scheduler step.
import { beforeAll, describe, expect, it } from "vitest";
import { isolatedTestDatabase } from "../helpers/db";
import { evaluateExperiment } from "@/lib/services/experiments";
import { createMetric } from "@/lib/db/metrics";
import { metricDefinitionSchema } from "@/lib/experiments/metrics";
import {
  endLiveExperiments,
  p95LatencyMetric,
  seedWorld,
  startedExperiment,
  writeCustomEvents,
  writeArmsTraffic,
  writeHealthyTraffic,
  type World,
} from "./rollout-fixtures";

const t = isolatedTestDatabase("metric_gates");
const t0 = new Date("2026-05-01T00:00:00Z");
const minutes = (m: number) => new Date(t0.getTime() + m * 60_000);

describe("gates on catalogue metrics", () => {
  let world: World;

  beforeAll(async () => {
    const { db } = t();
    world = await seedWorld(db);
    await createMetric(
      db,
      metricDefinitionSchema.parse({
        key: "cart_share",
        name: "Add-to-cart share",
        aggregation: "share",
        event: "custom:add_to_cart",
        direction: "higherIsBetter",
        nonInferiorityMargin: 0.02,
      }),
      world.editor.id,
    );
  });

  /** An experiment with CTR primary (margin 50 %) and the given guardrails, healthy traffic and carts, one scheduler step. */
  async function stepWith(
    guardrails: { metricKey: string; nonInferiorityMargin?: number }[],
    cartPercent: { control: number; candidate: number },
    severeAction: "rollback" | "pause" = "rollback",
  ) {
    const { db } = t();
    await endLiveExperiments(db);
    const exp = await startedExperiment(
      db,
      world,
      {
        metrics: [{ metricKey: "ctr", role: "primary", nonInferiorityMargin: 0.5 }, ...guardrails.map((g) => ({ ...g, role: "guardrail" as const }))],
        guardrails: { severe: { action: severeAction } },
      },
      t0,
    );
    await writeHealthyTraffic(db, world, exp.id, 10, minutes(1), exp.id);
    await writeCustomEvents(db, exp.id, "control", "add_to_cart", cartPercent.control);
    await writeCustomEvents(db, exp.id, "candidate", "add_to_cart", cartPercent.candidate);
    const outcome = await evaluateExperiment(db, exp.id, minutes(2));
    return {
      exp,
      decision: outcome!.decision,
      report: (await db.rolloutStage.findFirstOrThrow({ where: { experimentId: exp.id, index: 0 } })).lastDecision as {
        report: { metrics: { key: string; verdict: string; lift: number }[] };
      },
    };
  }

  it("CTR as the only (primary) metric advances on healthy traffic", async () => {
    const { decision } = await stepWith([], { control: 40, candidate: 10 });
    expect(decision.action).toBe("advance");
    expect(decision.numbers.checks.find((c) => c.name === "CTR (primary) non-inferiority")?.status).toBe("pass");
  });

  it("a guardrail metric not yet shown non-inferior holds the stage; the same traffic advances without it", async () => {
    // 38 % vs 40 % of users add to cart: −5 % relative, margin 2 %, a few hundred candidate users: inconclusive
    const held = await stepWith([{ metricKey: "cart_share" }], { control: 40, candidate: 38 });
    expect(held.decision.action).toBe("hold");
    const check = held.decision.numbers.checks.find((c) => c.name === "Add-to-cart share (guardrail) non-inferiority")!;
    expect(check.status).toBe("wait");
    expect(held.decision.reason).toContain("Add-to-cart share not yet shown non-inferior");
    expect(held.report.report.metrics.map((m) => [m.key, m.verdict])).toEqual([
      ["ctr", "non_inferior"],
      ["cart_share", "inconclusive"],
    ]);
    // with a margin wide enough for the same numbers, the stage advances
    const wide = await stepWith([{ metricKey: "cart_share", nonInferiorityMargin: 0.9 }], { control: 40, candidate: 38 });
    expect(wide.decision.action).toBe("advance");
  });

  it("a guardrail metric shown worse beyond its margin pauses, and rolls back when severe", async () => {
    const paused = await stepWith([{ metricKey: "cart_share" }], { control: 40, candidate: 10 }, "pause");
    expect(paused.decision.action).toBe("pause");
    expect(paused.decision.reason).toContain("Add-to-cart share worse beyond the −2.0% margin");
    const rolled = await stepWith([{ metricKey: "cart_share" }], { control: 40, candidate: 10 }, "rollback");
    expect(rolled.decision.action).toBe("rollback");
  });

  it("a lower-is-better guardrail is judged in its direction: a slower candidate p95 pauses", async () => {
    const { db } = t();
    await createMetric(db, p95LatencyMetric("p95_latency"), world.editor.id);
    await endLiveExperiments(db);
    const exp = await startedExperiment(
      db,
      world,
      {
        metrics: [
          { metricKey: "ctr", role: "primary", nonInferiorityMargin: 0.5 },
          { metricKey: "p95_latency", role: "guardrail" },
        ],
        guardrails: { latencyP95Ms: 1000, latencyQuantileMargin: 10, severe: { action: "pause" } },
      },
      t0,
    );
    // control requests take 1.5–2.5 ms, the candidate's 3–5 ms: its p95 is about twice the control's
    await writeArmsTraffic(db, world, {
      experimentId: exp.id,
      tag: exp.id,
      at: minutes(1),
      candidate: { users: 200, latencyUs: 3000, latencySpreadUs: 2000 },
      control: { users: 1800, latencyUs: 1500, latencySpreadUs: 1000 },
    });
    const outcome = await evaluateExperiment(db, exp.id, minutes(2));
    expect(outcome!.decision.action, outcome!.decision.reason).toBe("pause");
    expect(outcome!.decision.reason).toContain("p95 latency worse beyond the +10.0% margin");
  });
});
