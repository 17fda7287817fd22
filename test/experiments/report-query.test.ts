// The report's aggregate SQL against rows we insert, checked with a plain JS computation over the same rows.
import { beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { useTestDatabase as setupTestDatabase } from "../helpers/db";
import { STAGE_SETTLE_MS, kpiSufficientStats, loadExperimentReport, opsByVariant } from "@/lib/db/reports";
import { HELDOUT_EVENT_PREFIX } from "@/lib/experiments/kpis";
import { seedWorld, startedExperiment, type World } from "./rollout-fixtures";

const t = setupTestDatabase("exp_report");

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

interface Exp {
  requestId: string;
  variant: "control" | "candidate";
  userId: string;
  latencyUs: number;
  cpuUs: number;
  failed: boolean;
}
interface Ev {
  eventId: string;
  type: "click" | "conversion" | "revenue" | "custom";
  userId: string;
  requestId: string | null;
  value: number | null;
  /** default: inside the window */
  timestamp?: Date;
}

/** percentile_cont: linear interpolation between order statistics at p·(n − 1). */
function percentileCont(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = p * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

describe("experiment report queries", () => {
  let world: World;
  let experimentId: string;
  let otherExperimentId: string;
  const exposures: Exp[] = [];
  const events: Ev[] = [];
  const windowFrom = new Date("2026-01-01T00:00:00Z");
  const inside = new Date("2026-01-01T00:30:00Z");
  const windowTo = new Date("2026-01-01T01:00:00Z");

  beforeAll(async () => {
    const { db } = t();
    world = await seedWorld(db);
    experimentId = (await startedExperiment(db, world, {}, windowFrom)).id;
    // the stage's window closes at windowTo before any row arrives, so the row served after it belongs
    // to no stage (reports read rollups that attribute each exposure to a stage as it is written)
    await db.rolloutStage.update({ where: { experimentId_index: { experimentId, index: 0 } }, data: { endedAt: windowTo } });
    // a second experiment whose rows must not leak into the first one's report
    otherExperimentId = (
      await db.experiment.create({
        data: { name: "other", salt: "s", rampSchedule: [50, 100], guardrails: {}, kpis: ["ctr"], createdById: world.editor.id },
      })
    ).id;

    const r = rng(7);
    for (let u = 0; u < 160; u++) {
      const variant = u % 4 === 0 ? "candidate" : "control";
      const userId = `user-${u}`;
      const n = 1 + Math.floor(r() * 6);
      for (let k = 0; k < n; k++) {
        const e: Exp = {
          requestId: randomUUID(),
          variant,
          userId,
          latencyUs: Math.floor(500 + r() * (variant === "candidate" ? 2000 : 6000)),
          cpuUs: Math.floor(200 + r() * 1000),
          failed: r() < 0.03,
        };
        exposures.push(e);
        const clicks = r() < 0.3 ? 1 + Math.floor(r() * 2) : 0;
        for (let c = 0; c < clicks; c++) events.push({ eventId: randomUUID(), type: "click", userId, requestId: e.requestId, value: null });
        if (r() < 0.08) events.push({ eventId: randomUUID(), type: "conversion", userId, requestId: e.requestId, value: null });
        if (r() < 0.1) events.push({ eventId: randomUUID(), type: "revenue", userId, requestId: e.requestId, value: Math.round(r() * 5000) / 100 });
        if (r() < 0.7) {
          events.push({ eventId: `${HELDOUT_EVENT_PREFIX}${e.requestId}`, type: "custom", userId, requestId: e.requestId, value: r() < 0.2 ? 1 : 0 });
        }
        if (r() < 0.05) events.push({ eventId: randomUUID(), type: "custom", userId, requestId: e.requestId, value: 1 }); // not held-out
      }
      // a click without requestId: not attributed
      events.push({ eventId: randomUUID(), type: "click", userId, requestId: null, value: null });
      // pre-experiment activity (CUPED covariates): a week before, and one event too old to count
      if (r() < 0.6) {
        const pre = new Date(windowFrom.getTime() - 7 * 86_400_000);
        events.push({ eventId: randomUUID(), type: "revenue", userId, requestId: null, value: Math.round(r() * 3000) / 100, timestamp: pre });
        if (r() < 0.3) events.push({ eventId: randomUUID(), type: "conversion", userId, requestId: null, value: null, timestamp: pre });
      }
      if (r() < 0.2) {
        events.push({
          eventId: randomUUID(),
          type: "revenue",
          userId,
          requestId: null,
          value: 99,
          timestamp: new Date(windowFrom.getTime() - 30 * 86_400_000),
        });
      }
    }
    const row = (e: Exp, experiment: string, at: Date) => ({
      requestId: e.requestId,
      experimentId: experiment,
      variant: e.variant,
      modelId: e.variant === "candidate" ? world.studentId : world.teacherId,
      userId: e.userId,
      itemCount: 10,
      latencyUs: e.latencyUs,
      cpuUs: e.cpuUs,
      failed: e.failed,
      createdAt: at,
    });
    await t().db.exposure.createMany({ data: exposures.map((e) => row(e, experimentId, inside)) });
    // outside the window (after it) and in another experiment: both must be ignored
    const late = { requestId: randomUUID(), variant: "candidate" as const, userId: "user-0", latencyUs: 99_999, cpuUs: 1, failed: true };
    const foreign = { ...late, requestId: randomUUID() };
    await t().db.exposure.createMany({ data: [row(late, experimentId, new Date(windowTo.getTime() + 60_000)), row(foreign, otherExperimentId, inside)] });
    events.push({ eventId: randomUUID(), type: "click", userId: "user-0", requestId: late.requestId, value: null });
    events.push({ eventId: randomUUID(), type: "click", userId: "user-0", requestId: foreign.requestId, value: null });
    await t().db.event.createMany({ data: events.map((e) => ({ ...e, itemId: null, timestamp: e.timestamp ?? inside })) });
    await t().db.exposureLoss.create({ data: { experimentId, count: 7, reason: "queue_overflow", createdAt: inside } });
  });

  /** The same sufficient statistics computed in JS from the rows we inserted. */
  function expected(variant: "control" | "candidate") {
    const byRequest = new Map<string, Ev[]>();
    for (const e of events) if (e.requestId) byRequest.set(e.requestId, [...(byRequest.get(e.requestId) ?? []), e]);
    const preFrom = windowFrom.getTime() - 14 * 86_400_000;
    const preEvents = events.filter((e) => e.timestamp && e.timestamp.getTime() >= preFrom && e.timestamp < windowFrom);
    const users = new Map<string, { x: number; c: number; conv: number; r: number; hn: number; hh: number; pe: number; pr: number; pv: number }>();
    for (const e of exposures.filter((x) => x.variant === variant)) {
      let u = users.get(e.userId);
      if (!u) {
        const mine = preEvents.filter((p) => p.userId === e.userId);
        const pr = mine.filter((p) => p.type === "revenue").reduce((s, p) => s + (p.value ?? 0), 0);
        u = { x: 0, c: 0, conv: 0, r: 0, hn: 0, hh: 0, pe: mine.length, pr, pv: mine.some((p) => p.type === "conversion") ? 1 : 0 };
      }
      u.x += 1;
      for (const ev of byRequest.get(e.requestId) ?? []) {
        if (ev.type === "click") u.c += 1;
        if (ev.type === "conversion") u.conv += 1;
        if (ev.type === "revenue") u.r += ev.value ?? 0;
        if (ev.type === "custom" && ev.eventId.startsWith(HELDOUT_EVENT_PREFIX)) {
          u.hn += 1;
          u.hh += ev.value ?? 0;
        }
      }
      users.set(e.userId, u);
    }
    const us = [...users.values()];
    const sum = (f: (u: (typeof us)[number]) => number) => us.reduce((s, u) => s + f(u), 0);
    return {
      users: us.length,
      exposures: sum((u) => u.x),
      exposuresSq: sum((u) => u.x * u.x),
      clicks: sum((u) => u.c),
      clicksSq: sum((u) => u.c * u.c),
      clicksExposures: sum((u) => u.c * u.x),
      converters: sum((u) => (u.conv > 0 ? 1 : 0)),
      revenue: sum((u) => u.r),
      revenueSq: sum((u) => u.r * u.r),
      heldoutN: sum((u) => u.hn),
      heldoutHits: sum((u) => u.hh),
      heldoutHitsN: sum((u) => u.hh * u.hn),
      preUsers: sum((u) => (u.pe > 0 ? 1 : 0)),
      preRevenue: sum((u) => u.pr),
      preRevenueSq: sum((u) => u.pr * u.pr),
      preRevenueRevenue: sum((u) => u.pr * u.r),
      preConverted: sum((u) => u.pv),
      preConvertedConverted: sum((u) => u.pv * (u.conv > 0 ? 1 : 0)),
    };
  }

  it("computes per-variant sufficient statistics clustered by user, identical to a JS computation", async () => {
    const pre = { from: new Date(windowFrom.getTime() - 14 * 86_400_000), to: windowFrom };
    const rows = await kpiSufficientStats(t().db, experimentId, { from: windowFrom, to: windowTo }, pre);
    expect(rows.map((r) => r.variant)).toEqual(["candidate", "control"]);
    for (const row of rows) {
      const want = expected(row.variant as "control" | "candidate");
      for (const [key, value] of Object.entries(want)) {
        expect(row[key as keyof typeof row], `${row.variant}.${key}`).toBeCloseTo(value, 6);
      }
    }
  });

  it("computes latency percentiles (percentile_cont), errors and mean CPU per variant", async () => {
    const rows = await opsByVariant(t().db, experimentId, { from: windowFrom, to: windowTo });
    for (const row of rows) {
      const mine = exposures.filter((e) => e.variant === row.variant);
      const lat = mine.map((e) => e.latencyUs);
      expect(row.requests).toBe(mine.length);
      expect(row.failed).toBe(mine.filter((e) => e.failed).length);
      expect(row.p50Us).toBeCloseTo(percentileCont(lat, 0.5), 6);
      expect(row.p95Us).toBeCloseTo(percentileCont(lat, 0.95), 6);
      expect(row.p99Us).toBeCloseTo(percentileCont(lat, 0.99), 6);
      expect(row.meanCpuUs).toBeCloseTo(mine.reduce((s, e) => s + e.cpuUs, 0) / mine.length, 6);
    }
  });

  it("builds the report: CTR, conversion, revenue per user, hit rate, SRM, dropped exposures and cost", async () => {
    const loaded = await loadExperimentReport(t().db, experimentId, { kind: "current" }, windowTo);
    expect(loaded).not.toBeNull();
    const report = loaded!.report;
    const cand = expected("candidate");
    const ctrl = expected("control");
    const ctr = report.kpis.find((k) => k.kpi === "ctr")!;
    expect(ctr.control.value).toBeCloseTo(ctrl.clicks / ctrl.exposures, 10);
    expect(ctr.candidate.value).toBeCloseTo(cand.clicks / cand.exposures, 10);
    expect(ctr.lift).toBeCloseTo(cand.clicks / cand.exposures / (ctrl.clicks / ctrl.exposures) - 1, 10);
    expect(ctr.ci![0]).toBeLessThan(ctr.lift!);
    expect(ctr.ci![1]).toBeGreaterThan(ctr.lift!);
    // the always-valid interval is wider than the fixed-horizon one
    expect(ctr.ci![1] - ctr.ci![0]).toBeGreaterThan(ctr.fixedCi![1] - ctr.fixedCi![0]);
    const conv = report.kpis.find((k) => k.kpi === "conversion")!;
    expect(conv.cuped).toBe(true);
    expect(conv.candidate.value).toBeCloseTo(cand.converters / cand.users, 1);
    const rev = report.kpis.find((k) => k.kpi === "revenue")!;
    // pre-period revenue exists: CUPED adjusts revenue per user (CTR, a ratio, is never adjusted)
    expect(rev.cuped).toBe(true);
    expect(ctr.cuped).toBe(false);
    // CUPED by hand over per-user values: θ = Cov(y, x)/Var(x) pooled, ŷ_i = ȳ_i − θ(x̄_i − x̄)
    const perUser = (variant: "control" | "candidate") => {
      const pre = (u: string) =>
        events
          .filter(
            (e) =>
              e.userId === u &&
              e.type === "revenue" &&
              e.timestamp &&
              e.timestamp < windowFrom &&
              e.timestamp.getTime() >= windowFrom.getTime() - 14 * 86_400_000,
          )
          .reduce((s, e) => s + (e.value ?? 0), 0);
      const ids = [...new Set(exposures.filter((e) => e.variant === variant).map((e) => e.userId))];
      const reqs = new Set(exposures.filter((e) => e.variant === variant).map((e) => e.requestId));
      return ids.map((u) => ({
        x: pre(u),
        y: events.filter((e) => e.userId === u && e.type === "revenue" && e.requestId && reqs.has(e.requestId)).reduce((s, e) => s + (e.value ?? 0), 0),
      }));
    };
    const all = [...perUser("control"), ...perUser("candidate")];
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const mx = mean(all.map((p) => p.x));
    const my = mean(all.map((p) => p.y));
    const theta = all.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / all.reduce((s, p) => s + (p.x - mx) ** 2, 0);
    for (const [variant, armValue] of [
      ["control", rev.control.value],
      ["candidate", rev.candidate.value],
    ] as const) {
      const pts = perUser(variant);
      expect(armValue).toBeCloseTo(mean(pts.map((p) => p.y)) - theta * (mean(pts.map((p) => p.x)) - mx), 8);
    }
    expect(report.kpis.every((k) => k.pHolm !== null && k.pHolm >= (k.pValue as number))).toBe(true);

    expect(report.variants.candidate.hitRate.value).toBeCloseTo(cand.heldoutHits / cand.heldoutN, 10);
    expect(report.variants.candidate.users).toBe(40);
    expect(report.variants.control.users).toBe(120);
    // stage 0 expects 10% candidate users; 40 of 160 is far off
    expect(report.srm.pValue).toBeLessThan(0.001);
    expect(report.dropped.count).toBe(7);
    // candidate latencies 0.5–2.5 ms vs control 0.5–6.5 ms: the p95 difference-of-quantiles test sees it
    expect(report.latencyTests?.p95?.relativeDifference).toBeLessThan(0);
    expect(report.latencyTests?.p95?.ci?.[1]).toBeLessThan(0);

    const ops = report.variants.candidate.ops;
    expect(ops.errorRate).toBeCloseTo(exposures.filter((e) => e.variant === "candidate" && e.failed).length / ops.requests, 10);
    // cost: CPU part from mean CPU time at $0.05/vCPU-hour; memory part from the 0.8 MB student over the
    // window (1 h minus the stage's settle time) spread over all its requests
    const windowHours = (3_600_000 - STAGE_SETTLE_MS) / 3_600_000;
    const meanCpuS = exposures.filter((e) => e.variant === "candidate").reduce((s, e) => s + e.cpuUs, 0) / ops.requests / 1e6;
    expect(ops.costPer1k!.cpu).toBeCloseTo((meanCpuS / 3600) * 0.05 * 1000, 12);
    expect(ops.costPer1k!.memory).toBeCloseTo(((800_000 / 2 ** 30) * 0.005 * windowHours * 1000) / exposures.length, 12);
  });
});
