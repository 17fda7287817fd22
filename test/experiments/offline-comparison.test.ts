// The comparison page's view model: shares of the teacher, the headline, monthly costs of a switch.
import { describe, expect, it } from "vitest";
import {
  bestStudent,
  comparisonHeadline,
  comparisonRoiArm,
  formatUsd,
  monthlyServingCost,
  shareOf,
  switchRoi,
  type ComparedModelSummary,
} from "@/lib/experiments/offline-comparison";
import { formatShare } from "@/lib/format";
import { comparisonMetrics } from "@/lib/db/comparisons";

const teacher: ComparedModelSummary = {
  id: "t",
  name: "Teacher d200",
  role: "teacher",
  method: null,
  parameterCount: 1_000_000,
  sizeBytes: 40_000_000,
  sampled: { "N@10": 0.4, "H@10": 0.6 },
  longTail: { "N@10": 0.3 },
  cpuUsPerRequest: 790,
  p50LatencyUs: 790,
};
const student = (over: Partial<ComparedModelSummary>): ComparedModelSummary => ({
  ...teacher,
  id: "s",
  name: "Student",
  role: "student",
  method: "de-rrd",
  parameterCount: 100_000,
  sizeBytes: 4_000_000,
  sampled: { "N@10": 0.3844, "H@10": 0.58 },
  longTail: { "N@10": 0.2949 },
  cpuUsPerRequest: 120,
  p50LatencyUs: 100,
  ...over,
});

describe("shares of the teacher", () => {
  it("divides by the teacher and refuses a zero or missing teacher value", () => {
    expect(shareOf(0.3844, 0.4)).toBeCloseTo(0.961, 10);
    expect(shareOf(0.1, 0)).toBeNull();
    expect(shareOf(undefined, 0.4)).toBeNull();
    expect(formatShare(0.961)).toBe("96.1%");
    expect(formatShare(null)).toBe("—");
  });

  it("picks the student keeping most NDCG@10, the smaller one on a tie", () => {
    const a = student({ id: "a", sampled: { "N@10": 0.35 } });
    const b = student({ id: "b", sampled: { "N@10": 0.38 }, sizeBytes: 9e6 });
    const c = student({ id: "c", sampled: { "N@10": 0.38 }, sizeBytes: 2e6 });
    expect(bestStudent(teacher, [a, b, c])?.id).toBe("c");
    expect(bestStudent(teacher, [])).toBeNull();
  });
});

describe("headline", () => {
  it("says what the best student keeps, on niche users too, and how much faster and smaller it is", () => {
    // 0.3844/0.4 = 96.1%; 0.2949/0.3 = 98.3%; p50 790/100 = 7.9× (the mean is for costs); 40e6/4e6 = 10×
    expect(comparisonHeadline(teacher, [student({})])).toBe(
      "DE-RRD student keeps 96.1% of the teacher's NDCG@10 (98.3% on niche users) at 7.9× lower scoring latency and 10× less memory",
    );
  });

  it("says 'higher' when the student is slower, and is null without students", () => {
    expect(comparisonHeadline(teacher, [student({ method: "none", p50LatencyUs: 1580, sizeBytes: 80_000_000, longTail: {} })])).toBe(
      "Undistilled student keeps 96.1% of the teacher's NDCG@10 at 2.0× higher scoring latency and 2.0× more memory",
    );
    expect(comparisonHeadline(teacher, [])).toBeNull();
  });
});

describe("monthly serving cost", () => {
  it("prices CPU seconds per request and one resident copy of the model", () => {
    // 1e6 req/day × 30.4167 days × 0.001 s = 30,416.7 CPU-s = 8.449 vCPU-h × $0.05 = $0.42245
    // 1 GiB × $0.005 × 730 h = $3.65
    const c = monthlyServingCost({ requestsPerDay: 1e6, cpuSecondsPerRequest: 0.001, modelBytes: 2 ** 30, prices: { vcpuHourUsd: 0.05, gibHourUsd: 0.005 } });
    expect(c.cpu).toBeCloseTo((1e6 * (730 / 24) * 0.001 * 0.05) / 3600, 12);
    expect(c.cpu).toBeCloseTo(0.42245, 4);
    expect(c.memory).toBeCloseTo(3.65, 12);
    expect(c.total).toBeCloseTo(c.cpu + c.memory, 12);
  });

  it("rejects negative or non-finite inputs with the field's name", () => {
    expect(() => monthlyServingCost({ requestsPerDay: -1, cpuSecondsPerRequest: 0, modelBytes: 0, prices: { vcpuHourUsd: 1, gibHourUsd: 1 } })).toThrow(
      /requestsPerDay/,
    );
    expect(() => monthlyServingCost({ requestsPerDay: 1, cpuSecondsPerRequest: NaN, modelBytes: 0, prices: { vcpuHourUsd: 1, gibHourUsd: 1 } })).toThrow(
      /cpuSecondsPerRequest/,
    );
  });

  it("computes the saving of a switch and the quality given up", () => {
    const prices = { vcpuHourUsd: 0.05, gibHourUsd: 0.005 };
    const roi = switchRoi(teacher, student({}), 10_000_000, prices);
    const t = monthlyServingCost({ requestsPerDay: 1e7, cpuSecondsPerRequest: 790e-6, modelBytes: 40e6, prices });
    const s = monthlyServingCost({ requestsPerDay: 1e7, cpuSecondsPerRequest: 120e-6, modelBytes: 4e6, prices });
    expect(roi.teacher).toEqual(t);
    expect(roi.student).toEqual(s);
    expect(roi.saving).toBeCloseTo(t.total - s.total, 12);
    expect(roi.savingShare).toBeCloseTo((t.total - s.total) / t.total, 12);
    expect(roi.qualityGivenUp).toBeCloseTo(1 - 0.961, 10);
    expect(formatUsd(1234.5)).toBe("$1,235");
    expect(formatUsd(-12.345)).toBe("−$12.35");
  });

  it("turns compared models into the ROI card's arms: mean CPU time of a scoring call per request, share of the teacher's NDCG@10", () => {
    expect(comparisonRoiArm(teacher, teacher)).toEqual({
      id: "t",
      name: "Teacher d200",
      cpuMsPerRequest: 0.79,
      sizeBytes: 40_000_000,
      quality: "100.0%",
      tradeOff: "gives up 0.0% of the teacher's NDCG@10",
    });
    expect(comparisonRoiArm(teacher, student({}))).toMatchObject({
      cpuMsPerRequest: 0.12,
      quality: "96.1%",
      tradeOff: "gives up 3.9% of the teacher's NDCG@10",
    });
    expect(comparisonRoiArm(teacher, student({ sampled: { "N@10": 0.42 } })).tradeOff).toBe("gains 5.0% over the teacher's NDCG@10");
  });

  it("reads a comparison stored before CPU time was measured: its wall-clock mean is the cost", () => {
    const latency = { p50us: 700, p99us: 2000, meanUs: 790, samples: 200 };
    expect(comparisonMetrics({ metrics: { agreement10: 1, latency } }).latency).toEqual({ ...latency, cpuMeanUs: 790 });
    const measured = { ...latency, cpuMeanUs: 650 };
    expect(comparisonMetrics({ metrics: { agreement10: 1, latency: measured } }).latency.cpuMeanUs).toBe(650);
  });
});
