// The report's aggregate SQL against rows we insert, checked with a plain JS computation over the same rows.
import { beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { useTestDatabase as setupTestDatabase } from "../helpers/db";
import { kpiSufficientStats, loadExperimentReport, opsByVariant } from "@/lib/db/reports";
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
    await t().db.event.createMany({ data: events.map((e) => ({ ...e, itemId: null, timestamp: inside })) });
    await t().db.exposureLoss.create({ data: { experimentId, count: 7, reason: "queue_overflow", createdAt: inside } });
  });

  /** The same sufficient statistics computed in JS from the rows we inserted. */
  function expected(variant: "control" | "candidate") {
    const byRequest = new Map<string, Ev[]>();
    for (const e of events) if (e.requestId) byRequest.set(e.requestId, [...(byRequest.get(e.requestId) ?? []), e]);
    const users = new Map<string, { x: number; c: number; conv: number; r: number; hn: number; hh: number }>();
    for (const e of exposures.filter((x) => x.variant === variant)) {
      const u = users.get(e.userId) ?? { x: 0, c: 0, conv: 0, r: 0, hn: 0, hh: 0 };
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
    };
  }

  it("computes per-variant sufficient statistics clustered by user, identical to a JS computation", async () => {
    const rows = await kpiSufficientStats(t().db, experimentId, { from: windowFrom, to: windowTo }, null);
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
    expect(conv.candidate.value).toBeCloseTo(cand.converters / cand.users, 10);
    const rev = report.kpis.find((k) => k.kpi === "revenue")!;
    expect(rev.control.value).toBeCloseTo(ctrl.revenue / ctrl.users, 10);
    expect(report.kpis.every((k) => k.pHolm !== null && k.pHolm >= (k.pValue as number))).toBe(true);

    expect(report.variants.candidate.hitRate.value).toBeCloseTo(cand.heldoutHits / cand.heldoutN, 10);
    expect(report.variants.candidate.users).toBe(40);
    expect(report.variants.control.users).toBe(120);
    // stage 0 expects 10% candidate users; 40 of 160 is far off
    expect(report.srm.pValue).toBeLessThan(0.001);
    expect(report.dropped.count).toBe(7);

    const ops = report.variants.candidate.ops;
    expect(ops.errorRate).toBeCloseTo(exposures.filter((e) => e.variant === "candidate" && e.failed).length / ops.requests, 10);
    // cost: CPU part from mean CPU time at $0.05/vCPU-hour; memory part from the 0.8 MB student over 1 h of all requests
    const meanCpuS = exposures.filter((e) => e.variant === "candidate").reduce((s, e) => s + e.cpuUs, 0) / ops.requests / 1e6;
    expect(ops.costPer1k!.cpu).toBeCloseTo((meanCpuS / 3600) * 0.05 * 1000, 12);
    expect(ops.costPer1k!.memory).toBeCloseTo(((800_000 / 2 ** 30) * 0.005 * 1 * 1000) / exposures.length, 12);
  });
});
