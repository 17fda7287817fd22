// The metric catalogue: definitions are validated, built-ins are seeded entries, and every
// aggregation's SQL sufficient statistics equal a plain computation over the rows we insert.
import { beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { isolatedTestDatabase } from "../helpers/db";
import { createExperiment } from "@/lib/services/experiments";
import {
  chosenMetrics,
  createMetric,
  deleteMetric,
  experimentMetricResults,
  experimentMetricsSchema,
  listMetrics,
  metricStatistics,
  setExperimentMetrics,
  setMetricArchived,
  storeExperimentMetrics,
  updateMetric,
} from "@/lib/db/metrics";
import { clearReportCache } from "@/lib/db/report-gate";
import { kpiSufficientStats, loadExperimentReport } from "@/lib/db/reports";
import { experimentConfigSchema } from "@/lib/experiments/config";
import { metricDefinitionSchema, type MetricDefinitionInput } from "@/lib/experiments/metrics";
import { HttpError } from "@/lib/http";
import { Rng } from "@/lib/recsys/random";
import { quantileDifferenceTest, quantileIntervalLevels } from "@/lib/stats";
import { p95LatencyMetric, seedWorld, startedExperiment, type World } from "./rollout-fixtures";

const t = isolatedTestDatabase("metrics");
const from = new Date("2026-04-01T00:00:00Z");
const to = new Date("2026-04-01T01:00:00Z");

interface Row {
  requestId: string;
  variant: string;
  userId: string;
  latencyUs: number;
}
interface Ev {
  eventId: string;
  type: "click" | "conversion" | "revenue" | "custom";
  requestId: string | null;
  userId: string;
  value: number | null;
}

const def = (m: MetricDefinitionInput) => metricDefinitionSchema.parse(m);

describe("metric catalogue", () => {
  let world: World;
  let experimentId: string;
  const exposures: Row[] = [];
  const events: Ev[] = [];

  beforeAll(async () => {
    const { db } = t();
    world = await seedWorld(db);
    experimentId = (await startedExperiment(db, world, {}, from)).id;
    const rng = new Rng(77);
    for (let u = 0; u < 200; u++) {
      const userId = `m${u}`;
      const variant = u % 3 === 0 ? "candidate" : "control";
      for (let k = 0; k < 1 + rng.int(4); k++) {
        const requestId = randomUUID();
        exposures.push({ requestId, variant, userId, latencyUs: 300 + rng.int(variant === "candidate" ? 2000 : 5000) });
        if (rng.next() < 0.35) events.push({ eventId: randomUUID(), type: "click", requestId, userId, value: null });
        if (rng.next() < 0.1) events.push({ eventId: randomUUID(), type: "revenue", requestId, userId, value: Math.round(rng.next() * 10000) / 100 });
        if (rng.next() < 0.2) events.push({ eventId: `add_to_cart:${randomUUID()}`, type: "custom", requestId, userId, value: 1 + rng.int(3) });
        // a name that LIKE would match without escaping ("add_to_cart" vs "addXtoXcart")
        if (rng.next() < 0.1) events.push({ eventId: `addXtoXcart:${randomUUID()}`, type: "custom", requestId, userId, value: 100 });
      }
    }
    await db.exposure.createMany({
      data: exposures.map((e) => ({
        requestId: e.requestId,
        experimentId,
        variant: e.variant,
        modelId: e.variant === "candidate" ? world.studentId : world.teacherId,
        userId: e.userId,
        itemCount: 10,
        latencyUs: e.latencyUs,
        cpuUs: 10,
        failed: false,
        createdAt: new Date(from.getTime() + 60_000),
      })),
    });
    await db.event.createMany({ data: events.map((e) => ({ ...e, timestamp: new Date(from.getTime() + 60_000) })) });
  });

  /** Per-user totals by plain iteration over the rows. */
  function perUser(variant: string, value: (e: Ev) => number | null) {
    const users = new Map<string, { x: number; m: number }>();
    for (const x of exposures.filter((r) => r.variant === variant)) {
      const u = users.get(x.userId) ?? { x: 0, m: 0 };
      u.x += 1;
      for (const e of events) if (e.requestId === x.requestId) u.m += value(e) ?? 0;
      users.set(x.userId, u);
    }
    return [...users.values()];
  }
  const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
  const isCart = (e: Ev) => e.type === "custom" && e.eventId.startsWith("add_to_cart:");

  it("built-in CTR, conversion and revenue are catalogue entries; CTR's statistics equal the report's", async () => {
    const { db } = t();
    const metrics = await listMetrics(db);
    expect(metrics.filter((m) => m.builtIn).map((m) => m.key)).toEqual(["conversion", "ctr", "revenue"]);
    const ctr = metricDefinitionSchema.parse({ ...metrics.find((m) => m.key === "ctr")! });
    const stats = await metricStatistics(db, experimentId, { from, to }, ctr);
    const kpi = await kpiSufficientStats(db, experimentId, { from, to }, null);
    for (const s of stats) {
      const k = kpi.find((r) => r.variant === s.variant)!;
      expect(s).toMatchObject({ kind: "ratio", n: k.users, sumM: k.clicks, sumD: k.exposures, sumMD: k.clicksExposures });
    }
  });

  it("share, mean (count and value), ratio of two sums and capping equal the plain computation", async () => {
    const { db } = t();
    const w = { from, to };
    const share = await metricStatistics(
      db,
      experimentId,
      w,
      def({
        key: "cart_share",
        name: "Add to cart",
        aggregation: "share",
        event: "custom:add_to_cart",
        direction: "higherIsBetter",
        nonInferiorityMargin: 0.02,
      }),
    );
    const meanValue = await metricStatistics(
      db,
      experimentId,
      w,
      def({
        key: "cart_items",
        name: "Items",
        aggregation: "mean",
        event: "custom:add_to_cart",
        measure: "value",
        direction: "higherIsBetter",
        nonInferiorityMargin: 0.02,
      }),
    );
    const revenuePerClick = await metricStatistics(
      db,
      experimentId,
      w,
      def({
        key: "rev_click",
        name: "Revenue per click",
        aggregation: "ratio",
        event: "revenue",
        measure: "value",
        denominatorEvent: "click",
        direction: "higherIsBetter",
        nonInferiorityMargin: 0.05,
      }),
    );
    const capped = await metricStatistics(
      db,
      experimentId,
      w,
      def({
        key: "rev_cap",
        name: "Revenue capped",
        aggregation: "mean",
        event: "revenue",
        measure: "value",
        capPercentile: 0.9,
        direction: "higherIsBetter",
        nonInferiorityMargin: 0.02,
      }),
    );
    // capping threshold: percentile_cont over every exposed user's revenue, both arms pooled
    const allRevenue = ["control", "candidate"].flatMap((v) => perUser(v, (e) => (e.type === "revenue" ? e.value : 0)).map((u) => u.m)).sort((a, b) => a - b);
    const pos = 0.9 * (allRevenue.length - 1);
    const cap = allRevenue[Math.floor(pos)] + (allRevenue[Math.ceil(pos)] - allRevenue[Math.floor(pos)]) * (pos - Math.floor(pos));
    for (const variant of ["candidate", "control"]) {
      const carts = perUser(variant, (e) => (isCart(e) ? 1 : 0));
      expect(share.find((s) => s.variant === variant)).toEqual({ variant, kind: "proportion", n: carts.length, sum: carts.filter((u) => u.m > 0).length });
      const items = perUser(variant, (e) => (isCart(e) ? e.value : 0));
      const mv = meanValue.find((s) => s.variant === variant) as { sum: number; sumSquares: number };
      expect(mv.sum).toBeCloseTo(sum(items.map((u) => u.m)), 9);
      expect(mv.sumSquares).toBeCloseTo(sum(items.map((u) => u.m * u.m)), 9);
      const rev = perUser(variant, (e) => (e.type === "revenue" ? e.value : 0));
      const clicks = perUser(variant, (e) => (e.type === "click" ? 1 : 0));
      const r = revenuePerClick.find((s) => s.variant === variant) as { sumM: number; sumD: number; sumMD: number };
      expect(r.sumM).toBeCloseTo(sum(rev.map((u) => u.m)), 9);
      expect(r.sumD).toBe(sum(clicks.map((u) => u.m)));
      expect(r.sumMD).toBeCloseTo(sum(rev.map((u, i) => u.m * clicks[i].m)), 9);
      const c = capped.find((s) => s.variant === variant) as { sum: number; sumSquares: number };
      expect(c.sum).toBeCloseTo(sum(rev.map((u) => Math.min(u.m, cap))), 9);
      expect(c.sumSquares).toBeCloseTo(sum(rev.map((u) => Math.min(u.m, cap) ** 2)), 9);
    }
  });

  it("p95 latency per request: percentile_cont and the order statistics bounding it, and a test on the difference", async () => {
    const { db } = t();
    const stats = await metricStatistics(db, experimentId, { from, to }, p95LatencyMetric("p95_latency"));
    for (const s of stats) {
      const v = exposures
        .filter((e) => e.variant === s.variant)
        .map((e) => e.latencyUs / 1000)
        .sort((a, b) => a - b);
      const pos = 0.95 * (v.length - 1);
      expect(s).toMatchObject({ kind: "quantile", n: v.length, nu: 0.95 });
      const q = s as { estimate: number; lower: number; upper: number };
      expect(q.estimate).toBeCloseTo(v[Math.floor(pos)] + (v[Math.ceil(pos)] - v[Math.floor(pos)]) * (pos - Math.floor(pos)), 9);
      const [lo, hi] = quantileIntervalLevels(v.length, 0.95);
      expect(q.lower).toBeCloseTo(v[Math.ceil(v.length * lo) - 1], 9);
      expect(q.upper).toBeCloseTo(v[Math.ceil(v.length * hi) - 1], 9);
    }
    const [cand, ctrl] = stats as Parameters<typeof quantileDifferenceTest>[0][];
    const r = quantileDifferenceTest(ctrl, cand);
    // candidate latencies are drawn from 0.3–2.3 ms, control from 0.3–5.3 ms: p95 clearly lower
    expect(r.estimate).toBeLessThan(0);
    expect(r.ci[1]).toBeLessThan(0);
    expect(r.pValue as number).toBeLessThan(0.001);
  });

  it("validates definitions field by field; built-ins are read-only; used metrics cannot be deleted", async () => {
    const { db } = t();
    const bad = metricDefinitionSchema.safeParse({ key: "r", name: "x", aggregation: "ratio", event: "click", direction: "up", nonInferiorityMargin: 2 });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["key", "direction", "nonInferiorityMargin"]));
    const noDen = metricDefinitionSchema.safeParse({
      key: "rr",
      name: "x",
      aggregation: "ratio",
      event: "click",
      direction: "higherIsBetter",
      nonInferiorityMargin: 0.1,
    });
    expect(noDen.error!.issues.map((i) => i.path.join("."))).toEqual(["denominatorEvent"]);
    expect(
      metricDefinitionSchema.safeParse({ key: "lat", name: "x", aggregation: "mean", event: "latency", direction: "lowerIsBetter", nonInferiorityMargin: 0.1 })
        .success,
    ).toBe(false);

    const created = await createMetric(
      db,
      def({ key: "clicks_user", name: "Clicks per user", aggregation: "mean", event: "click", direction: "higherIsBetter", nonInferiorityMargin: 0.03 }),
      world.editor.id,
    );
    await expect(
      createMetric(
        db,
        def({ key: "clicks_user", name: "again", aggregation: "mean", event: "click", direction: "higherIsBetter", nonInferiorityMargin: 0.03 }),
        world.editor.id,
      ),
    ).rejects.toMatchObject({ status: 409 });
    expect((await updateMetric(db, created.id, { nonInferiorityMargin: 0.05 })).nonInferiorityMargin).toBe(0.05);
    await expect(updateMetric(db, created.id, { aggregation: "ratio" })).rejects.toMatchObject({
      status: 400,
      details: { issues: [{ path: "denominatorEvent" }] },
    });
    await expect(updateMetric(db, created.id, { key: "renamed" })).rejects.toMatchObject({ status: 400, details: { issues: [{ path: "key" }] } });
    const ctr = (await listMetrics(db)).find((m) => m.key === "ctr")!;
    await expect(updateMetric(db, ctr.id, { name: "x" })).rejects.toBeInstanceOf(HttpError);
    await db.experimentMetric.create({ data: { experimentId, metricId: created.id, role: "guardrail" } });
    await expect(deleteMetric(db, created.id)).rejects.toMatchObject({ status: 409 });
    await db.experimentMetric.deleteMany({ where: { metricId: created.id } });
    await deleteMetric(db, created.id);
    expect((await listMetrics(db)).some((m) => m.key === "clicks_user")).toBe(false);
  });

  it("an experiment chooses primary, secondary and guardrail metrics; results use each metric's test, direction and margin", async () => {
    const { db } = t();
    await createMetric(db, p95LatencyMetric("p95_lat"), world.editor.id);
    await createMetric(
      db,
      def({
        key: "cart_p90",
        name: "p90 items per add",
        aggregation: "quantile",
        event: "custom:add_to_cart",
        measure: "value",
        quantile: 0.9,
        direction: "higherIsBetter",
        nonInferiorityMargin: 0.1,
      }),
      world.editor.id,
    );
    const chosen = experimentMetricsSchema.parse([
      { metricKey: "p95_lat", role: "guardrail" },
      { metricKey: "revenue", role: "secondary", nonInferiorityMargin: 0.5 },
      { metricKey: "cart_p90", role: "secondary" },
      { metricKey: "ctr", role: "primary" },
    ]);
    expect(experimentMetricsSchema.safeParse([{ metricKey: "revenue", role: "secondary" }]).success).toBe(false); // no primary
    expect(
      experimentMetricsSchema.safeParse([
        { metricKey: "ctr", role: "primary" },
        { metricKey: "ctr", role: "guardrail" },
      ]).success,
    ).toBe(false);
    await storeExperimentMetrics(db, experimentId, chosen);
    // the built-in metrics chosen become the experiment's KPIs
    expect((await db.experiment.findUniqueOrThrow({ where: { id: experimentId } })).kpis.sort()).toEqual(["ctr", "revenue"]);

    const results = await experimentMetricResults(db, experimentId, { from, to });
    // primary first, then secondary, then guardrails
    expect(results.map((r) => [r.key, r.role])).toEqual([
      ["ctr", "primary"],
      ["cart_p90", "secondary"],
      ["revenue", "secondary"],
      ["p95_lat", "guardrail"],
    ]);
    const lat = results.find((r) => r.key === "p95_lat")!;
    // candidate p95 is far lower: for a lower-is-better metric that is non-inferior
    expect(lat.lift as number).toBeLessThan(0);
    expect(lat.verdict).toBe("non_inferior");
    expect(lat.pHolm).toBeNull(); // guardrails are not in the Holm family
    expect(results.find((r) => r.key === "revenue")!.margin).toBe(0.5);

    // each value and lift against the plain computation over the rows
    const ctr = results.find((r) => r.key === "ctr")!;
    const plainCtr = (v: string) => {
      const rows = perUser(v, (e) => (e.type === "click" ? 1 : 0));
      return sum(rows.map((u) => u.m)) / sum(rows.map((u) => u.x));
    };
    expect(ctr.control.value).toBeCloseTo(plainCtr("control"), 12);
    expect(ctr.candidate.value).toBeCloseTo(plainCtr("candidate"), 12);
    expect(ctr.lift).toBeCloseTo(plainCtr("candidate") / plainCtr("control") - 1, 12);
    expect(ctr.test).toMatch(/delta method/);
    const quantile = (values: number[], nu: number) => {
      const v = [...values].sort((a, b) => a - b);
      const pos = nu * (v.length - 1);
      return v[Math.floor(pos)] + (v[Math.ceil(pos)] - v[Math.floor(pos)]) * (pos - Math.floor(pos));
    };
    const cartValues = (variant: string) =>
      events.filter((e) => isCart(e) && exposures.some((x) => x.requestId === e.requestId && x.variant === variant)).map((e) => e.value as number);
    const cart = results.find((r) => r.key === "cart_p90")!;
    expect(cart.control.value).toBeCloseTo(quantile(cartValues("control"), 0.9), 12);
    expect(cart.candidate.value).toBeCloseTo(quantile(cartValues("candidate"), 0.9), 12);
    expect(cart.test).toMatch(/difference of quantiles/);
    const latency = (variant: string) => exposures.filter((x) => x.variant === variant).map((x) => x.latencyUs / 1000);
    expect(lat.lift).toBeCloseTo(quantile(latency("candidate"), 0.95) / quantile(latency("control"), 0.95) - 1, 12);
    // always-valid intervals are wider than the fixed-horizon ones
    for (const r of [ctr, lat]) expect(r.ci![1] - r.ci![0]).toBeGreaterThan(r.fixedCi![1] - r.fixedCi![0]);

    // the report computes the same numbers (built-ins from the rollups, the others from their SQL)
    clearReportCache();
    const loaded = await loadExperimentReport(db, experimentId, { kind: "all" }, to);
    const reported = loaded!.report.metrics!;
    expect(reported.map((r) => r.key)).toEqual(["ctr", "cart_p90", "revenue", "p95_lat"]);
    expect(reported[0].lift).toBeCloseTo(ctr.lift as number, 12);
    expect(reported[3].lift).toBeCloseTo(lat.lift as number, 12);
    // latency quantiles come from the latency counts: the same estimates and order-statistic bounds
    expect(reported[3].control.value).toBeCloseTo(lat.control.value as number, 12);
    expect(reported[3].candidate.standardError).toBeCloseTo(lat.candidate.standardError as number, 12);
    reported[3].fixedCi!.forEach((x, i) => expect(x).toBeCloseTo(lat.fixedCi![i], 12));

    // the experiment is running: its gates cannot move any more
    await expect(setExperimentMetrics(db, experimentId, chosen)).rejects.toMatchObject({ status: 409 });
    // a metric a started experiment uses keeps its definition; its name may change
    const p95 = (await listMetrics(db)).find((m) => m.key === "p95_lat")!;
    await expect(updateMetric(db, p95.id, { nonInferiorityMargin: 0.5 })).rejects.toMatchObject({ status: 409 });
    expect((await updateMetric(db, p95.id, { name: "Latency p95" })).name).toBe("Latency p95");
  });

  it("archived metrics leave the choice but stay on their experiments; built-ins cannot be archived", async () => {
    const { db } = t();
    const m = await createMetric(
      db,
      def({ key: "clicks_per_user", name: "Clicks per user", aggregation: "mean", event: "click", direction: "higherIsBetter", nonInferiorityMargin: 0.03 }),
      world.editor.id,
    );
    await setMetricArchived(db, m.id, true);
    expect((await listMetrics(db, { activeOnly: true })).some((x) => x.key === "clicks_per_user")).toBe(false);
    expect((await listMetrics(db)).find((x) => x.key === "clicks_per_user")!.archivedAt).not.toBeNull();
    const draft = await createExperiment(db, experimentConfigSchema.parse({ name: "draft", candidateModelId: world.studentId }), world.editor);
    await expect(
      setExperimentMetrics(
        db,
        draft.id,
        experimentMetricsSchema.parse([
          { metricKey: "ctr", role: "primary" },
          { metricKey: "clicks_per_user", role: "guardrail" },
        ]),
      ),
    ).rejects.toMatchObject({
      status: 400,
      details: { issues: [{ path: "1.metricKey" }] },
    });
    await expect(setExperimentMetrics(db, draft.id, experimentMetricsSchema.parse([{ metricKey: "nope", role: "primary" }]))).rejects.toMatchObject({
      status: 400,
      details: { issues: [{ path: "0.metricKey" }] },
    });
    await setMetricArchived(db, m.id, false);
    await setExperimentMetrics(
      db,
      draft.id,
      experimentMetricsSchema.parse([
        { metricKey: "ctr", role: "primary" },
        { metricKey: "clicks_per_user", role: "guardrail" },
      ]),
    );
    expect((await chosenMetrics(db, draft.id)).map((c) => [c.definition.key, c.role, c.margin])).toEqual(
      expect.arrayContaining([
        ["ctr", "primary", 0.02],
        ["clicks_per_user", "guardrail", 0.03],
      ]),
    );
    const ctr = (await listMetrics(db)).find((x) => x.key === "ctr")!;
    await expect(setMetricArchived(db, ctr.id, true)).rejects.toMatchObject({ status: 409 });
  });
});
