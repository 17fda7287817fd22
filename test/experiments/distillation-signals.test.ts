// The pure parts of the guardrails for distilled students: request sampling, overlap@10, user
// segments, Benjamini–Hochberg across segments × KPIs, and the gate checks.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EMPTY_STATS, type VariantSufficientStats } from "@/lib/experiments/analysis";
import { guardrailsSchema } from "@/lib/experiments/config";
import { segmentChecks, teacherAgreementCheck } from "@/lib/experiments/distillation-gates";
import type { ExperimentReport } from "@/lib/experiments/report";
import { applySegmentFdr, segmentKpiTest, type SegmentKpiResult } from "@/lib/experiments/segment-analysis";
import { isSampledRequest, overlapAtK, summarizeAgreement, type TeacherAgreementReport } from "@/lib/experiments/teacher-agreement";
import { userSegments } from "@/lib/experiments/user-segments";
import { holmAdjust } from "@/lib/stats";
import type { Dataset } from "@/lib/recsys/types";
import { handDataset, ids } from "../helpers/datasets";

describe("slate sampling", () => {
  it("is decided by the request id alone, at the configured rate", () => {
    const ids = Array.from({ length: 20_000 }, () => randomUUID());
    const sampled = ids.filter((id) => isSampledRequest(id, 0.05));
    // binomial(20000, 0.05): mean 1000, sd 30.8; ±5 sd
    expect(sampled.length).toBeGreaterThan(1000 - 154);
    expect(sampled.length).toBeLessThan(1000 + 154);
    expect(ids.filter((id) => isSampledRequest(id, 0.05))).toEqual(sampled);
    // nested: a request sampled at 5% is sampled at 20%
    expect(sampled.every((id) => isSampledRequest(id, 0.2))).toBe(true);
    expect(ids.some((id) => isSampledRequest(id, 0))).toBe(false);
    expect(ids.every((id) => isSampledRequest(id, 1))).toBe(true);
  });
});

describe("overlap@10", () => {
  it("counts shared items of the served list and the reference's list of the same length", () => {
    const served = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"];
    expect(overlapAtK(served, ["j", "a", "x", "y", "c", "z", "q", "r", "s", "t", "b"])).toBeCloseTo(0.3, 15); // a, c, j (b is 11th)
    expect(overlapAtK(served, served)).toBe(1);
    expect(overlapAtK(["a", "b"], ["b", "q", "a"])).toBe(0.5); // compared at depth 2: {b, q}
    expect(overlapAtK([], ["a"])).toBeNull();
  });

  it("summarises samples with a normal interval of the mean", () => {
    // values 0.2, 0.4, 0.6: mean 0.4, sample variance 0.04, half-width 1.96·0.2/√3
    const s = summarizeAgreement({ n: 3, sum: 1.2, sumSquares: 0.04 + 0.16 + 0.36 });
    expect(s.mean).toBeCloseTo(0.4, 12);
    expect(s.ci![0]).toBeCloseTo(0.4 - (1.959963984540054 * 0.2) / Math.sqrt(3), 12);
    expect(summarizeAgreement({ n: 0, sum: 0, sumSquares: 0 })).toEqual({ n: 0, mean: null, ci: null });
  });
});

describe("user segments", () => {
  it("long-tail = most training interactions outside the top 20% of items, cold = at most 5", () => {
    // 10 items: popularity 0:4 users, 1:3, 2:3 (tie with 1: the lower index wins), others ≤ 2
    // → head = ceil(0.2·10) = 2 items {0, 1}
    const trainByUser = [
      [0, 1, 2, 3, 4, 5], // 4 of 6 outside the head: long-tail, not cold (6 > 5)
      [0, 1, 2], // 1 of 3 outside: neither long-tail; cold
      [0, 1, 6, 7], // 2 of 4 = 50%: not "more than half"; cold
      [0, 8, 9, 2, 3, 4, 5], // 6 of 7: long-tail
      [], // no interactions: cold, tail share 0
    ].map((items) => Int32Array.from(items.sort((a, b) => a - b)));
    const ds: Dataset = handDataset({
      name: "hand",
      userIds: ["u0", "u1", "u2", "u3", "u4"],
      itemIds: ids("i", 10),
      trainByUser,
    });
    const seg = userSegments(ds);
    expect(seg.headItems).toBe(2);
    expect(seg.users.map((u) => [u.userId, u.longTail, u.cold])).toEqual([
      ["u0", true, false],
      ["u1", false, true],
      ["u2", false, true],
      ["u3", true, false],
      ["u4", false, true],
    ]);
    expect(seg.users[0].tailShare).toBeCloseTo(4 / 6, 15);
  });
});

const result = (pWorse: number | null): SegmentKpiResult => ({
  segment: "long_tail",
  kpi: "ctr",
  control: { value: null, standardError: null, n: 0 },
  candidate: { value: null, standardError: null, n: 0 },
  lift: null,
  ci: null,
  margin: 0.05,
  pWorse,
  pAdjusted: null,
  worse: false,
  cuped: false,
});

describe("Benjamini–Hochberg across segments × KPIs", () => {
  it("matches a hand computation and rejects more than Holm would", () => {
    // m = 5 tested (the null is not a test). Sorted: 0.005, 0.01, 0.03, 0.04, 1 → m·p/j = 0.025, 0.025,
    // 0.05, 0.05, 1 → running minimum from the top: 0.025, 0.025, 0.05, 0.05, 1 (Benjamini & Hochberg
    // 1995 step-up; R's p.adjust(method = "BH") definition). In input order:
    const ps = [0.01, 0.04, 0.03, 0.005, 1, null];
    const out = applySegmentFdr(ps.map(result), 0.05);
    expect(out.map((r) => r.pAdjusted)).toEqual([0.025, 0.05, 0.05, 0.025, 1, null].map((v) => (v === null ? null : expect.closeTo(v, 15))));
    expect(out.map((r) => r.worse)).toEqual([true, true, true, true, false, false]);
    // Holm on the same five: 0.005·5, 0.01·4, 0.03·3, 0.04·2 (running max 0.09), 1 → only two rejections
    expect(holmAdjust([0.01, 0.04, 0.03, 0.005, 1]).filter((p) => p <= 0.05)).toHaveLength(2);
  });
});

const stats = (variant: string, users: number, clicks: number, exposuresPerUser = 2): VariantSufficientStats => {
  // each user has `exposuresPerUser` exposures; `clicks` users have one click
  const x = exposuresPerUser;
  return { ...EMPTY_STATS(variant), users, exposures: users * x, exposuresSq: users * x * x, clicks, clicksSq: clicks, clicksExposures: clicks * x };
};

describe("one segment's test", () => {
  it("is one-sided: p counts only when the lift is below −margin, and waits for enough users", () => {
    const worse = segmentKpiTest("long_tail", "ctr", stats("control", 2000, 600), stats("candidate", 2000, 100), 0.05, 0.05, 50);
    expect(worse.lift!).toBeCloseTo(100 / 600 - 1, 12);
    expect(worse.pWorse!).toBeLessThan(1e-6);
    const better = segmentKpiTest("long_tail", "ctr", stats("control", 2000, 600), stats("candidate", 2000, 650), 0.05, 0.05, 50);
    expect(better.pWorse).toBe(1);
    const few = segmentKpiTest("cold", "ctr", stats("control", 30, 10), stats("candidate", 30, 2), 0.05, 0.05, 50);
    expect(few.pWorse).toBeNull();
    expect(few.note).toMatch(/needs 50 users in each arm/);
  });
});

function reportWith(distillation: ExperimentReport["distillation"]): ExperimentReport {
  return { distillation } as ExperimentReport;
}

const agreement = (n: number, mean: number | null, pending = 0): TeacherAgreementReport => ({
  referenceModelId: "teacher",
  sampleRate: 0.05,
  threshold: 0.3,
  minSamples: 50,
  current: { n, mean, ci: mean === null ? null : [mean - 0.05, mean + 0.05] },
  pending,
  byStage: [],
});

describe("distillation gates", () => {
  const g = guardrailsSchema.parse({});

  it("defaults: 5% of candidate requests, hold below a mean overlap@10 of 0.3 from 50 slates, FDR 5%", () => {
    expect(g.distillation).toEqual({
      teacherAgreementSampleRate: 0.05,
      minTeacherAgreement: 0.3,
      minAgreementSamples: 50,
      segmentGuardrails: true,
      segmentFdr: 0.05,
      minSegmentUsers: 50,
    });
  });

  it("teacher agreement holds below the threshold, waits for samples once sampling is seen, and is off at 0", () => {
    expect(teacherAgreementCheck(reportWith({ teacherAgreement: agreement(80, 0.21), segments: null }), g)).toMatchObject({ status: "wait", value: 0.21 });
    expect(teacherAgreementCheck(reportWith({ teacherAgreement: agreement(80, 0.42), segments: null }), g)).toMatchObject({ status: "pass" });
    expect(teacherAgreementCheck(reportWith({ teacherAgreement: agreement(20, 0.9, 5), segments: null }), g)).toMatchObject({
      status: "wait",
      detail: expect.stringContaining("20 of 50"),
    });
    expect(teacherAgreementCheck(reportWith({ teacherAgreement: agreement(0, null), segments: null }), g)).toMatchObject({
      status: "pass",
      detail: expect.stringContaining("not judged"),
    });
    const off = guardrailsSchema.parse({ distillation: { minTeacherAgreement: 0 } });
    expect(teacherAgreementCheck(reportWith({ teacherAgreement: agreement(80, 0.01), segments: null }), off)).toBeNull();
    // a report from before these guardrails has nothing to judge
    expect(teacherAgreementCheck({} as ExperimentReport, g)).toBeNull();
  });

  it("a segment with a KPI significantly worse after BH holds; the others pass", () => {
    const results = [
      { ...result(0.001), lift: -0.4, pAdjusted: 0.002, worse: true },
      { ...result(0.7), segment: "cold" as const, pAdjusted: 0.7 },
    ];
    const segments = {
      datasetId: "d",
      computed: true,
      headItems: 2,
      fdr: 0.05,
      segments: [
        { segment: "long_tail" as const, label: "Long-tail users", users: { control: 100, candidate: 100 } },
        { segment: "cold" as const, label: "Cold users", users: { control: 100, candidate: 100 } },
      ],
      results,
    };
    const checks = segmentChecks(reportWith({ teacherAgreement: null, segments }), g);
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ["long-tail users", "wait"],
      ["cold users", "pass"],
    ]);
    expect(checks[0].detail).toMatch(/CTR lift −40\.0% below −5\.0% \(BH-adjusted p=0\.00200\)/);
    expect(segmentChecks(reportWith({ teacherAgreement: null, segments: { ...segments, computed: false } }), g)).toEqual([
      expect.objectContaining({ status: "pass", detail: expect.stringContaining("not judged") }),
    ]);
  });
});
