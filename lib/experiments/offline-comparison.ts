// What the offline comparison page says about a teacher and its students: each model's share of the
// teacher's quality, the one-line headline, and the monthly serving cost of switching.
//
// Monthly cost of serving one model at a request rate (30.4 days, 730 hours a month):
//   cpu    = requests/day × 30.4 × CPU seconds per request / 3600 × price per vCPU-hour
//   memory = model size (GiB) × price per GiB-hour × 730, one resident copy
// CPU seconds per request is the scoring latency measured on one core (full catalogue + top-k), the
// work a request costs whatever the number of replicas.
import { METHOD_NAMES, type DistillMethod } from "@/lib/recsys/distill/methods";
import type { Prices } from "./cost";
import { formatShare } from "@/lib/format";

export const HOURS_PER_MONTH = 730;
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

export interface ComparedModelSummary {
  id: string;
  name: string;
  role: "teacher" | "student";
  method: string | null;
  parameterCount: number;
  sizeBytes: number;
  /** sampled metrics "H@10", "N@10", ... */
  sampled: Record<string, number>;
  longTail: Record<string, number>;
  meanLatencyUs: number;
  p50LatencyUs: number;
}

/** student / teacher, null when the teacher scores 0 or the value is missing */
export function shareOf(value: number | undefined, teacherValue: number | undefined): number | null {
  if (value === undefined || teacherValue === undefined || !Number.isFinite(value) || !Number.isFinite(teacherValue) || teacherValue <= 0) return null;
  return value / teacherValue;
}

/** how many times smaller b is than a ("7.9×"), null if either is not positive */
export function ratio(a: number, b: number): number | null {
  return a > 0 && b > 0 ? a / b : null;
}

function times(r: number): string {
  return r >= 10 ? `${Math.round(r)}×` : `${r.toFixed(1)}×`;
}

/** the student keeping most of the teacher's NDCG@10 (ties: smaller model) */
export function bestStudent(teacher: ComparedModelSummary, others: ComparedModelSummary[]): ComparedModelSummary | null {
  let best: ComparedModelSummary | null = null;
  let bestShare = -Infinity;
  for (const m of others) {
    const s = shareOf(m.sampled["N@10"], teacher.sampled["N@10"]) ?? -Infinity;
    if (s > bestShare || (s === bestShare && best !== null && m.sizeBytes < best.sizeBytes)) {
      best = m;
      bestShare = s;
    }
  }
  return best;
}


/**
 * Latency ratio from p50. e.g. "DE-RRD student keeps 96.1% of the teacher's NDCG@10 (98.3% on niche users) at 7.9× lower scoring
 * latency and 10× less memory". Null without a student to speak of.
 */
export function comparisonHeadline(teacher: ComparedModelSummary, others: ComparedModelSummary[]): string | null {
  const s = bestStudent(teacher, others);
  if (!s) return null;
  const share = shareOf(s.sampled["N@10"], teacher.sampled["N@10"]);
  if (share === null) return null;
  const who = s.role === "teacher" ? s.name : `${METHOD_NAMES[(s.method ?? "none") as DistillMethod] ?? s.method} student`;
  const tail = shareOf(s.longTail["N@10"], teacher.longTail["N@10"]);
  let text = `${who} keeps ${formatShare(share)} of the teacher's NDCG@10`;
  if (tail !== null) text += ` (${formatShare(tail)} on niche users)`;
  const parts: string[] = [];
  // the median: robust to the pauses of a busy machine, which the mean (used for cost) is not
  const lat = ratio(teacher.p50LatencyUs, s.p50LatencyUs);
  if (lat !== null) parts.push(lat >= 1 ? `${times(lat)} lower scoring latency` : `${times(1 / lat)} higher scoring latency`);
  const mem = ratio(teacher.sizeBytes, s.sizeBytes);
  if (mem !== null) parts.push(mem >= 1 ? `${times(mem)} less memory` : `${times(1 / mem)} more memory`);
  if (parts.length) text += ` at ${parts.join(" and ")}`;
  return text;
}

export interface MonthlyCost {
  cpu: number;
  memory: number;
  total: number;
}

export function monthlyServingCost(args: { requestsPerDay: number; cpuSecondsPerRequest: number; modelBytes: number; prices: Prices }): MonthlyCost {
  const { requestsPerDay, cpuSecondsPerRequest, modelBytes, prices } = args;
  for (const [name, v] of Object.entries({ requestsPerDay, cpuSecondsPerRequest, modelBytes, vcpuHourUsd: prices.vcpuHourUsd, gibHourUsd: prices.gibHourUsd })) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`${name} must be a non-negative number, got ${v}`);
  }
  const cpu = ((requestsPerDay * DAYS_PER_MONTH * cpuSecondsPerRequest) / 3600) * prices.vcpuHourUsd;
  const memory = (modelBytes / 2 ** 30) * prices.gibHourUsd * HOURS_PER_MONTH;
  return { cpu, memory, total: cpu + memory };
}

export interface SwitchRoi {
  teacher: MonthlyCost;
  student: MonthlyCost;
  /** teacher − student per month (negative: the student costs more) */
  saving: number;
  /** saving / teacher total, null when the teacher costs nothing */
  savingShare: number | null;
  /** 1 − share of the teacher's NDCG@10 kept, null when unknown */
  qualityGivenUp: number | null;
}

export function switchRoi(
  teacher: Pick<ComparedModelSummary, "meanLatencyUs" | "sizeBytes" | "sampled">,
  student: Pick<ComparedModelSummary, "meanLatencyUs" | "sizeBytes" | "sampled">,
  requestsPerDay: number,
  prices: Prices,
): SwitchRoi {
  const cost = (m: typeof teacher) => monthlyServingCost({ requestsPerDay, cpuSecondsPerRequest: m.meanLatencyUs / 1e6, modelBytes: m.sizeBytes, prices });
  const t = cost(teacher);
  const s = cost(student);
  const share = shareOf(student.sampled["N@10"], teacher.sampled["N@10"]);
  return {
    teacher: t,
    student: s,
    saving: t.total - s.total,
    savingShare: t.total > 0 ? (t.total - s.total) / t.total : null,
    qualityGivenUp: share === null ? null : 1 - share,
  };
}

/** "$1,234" under $10k with cents below $100 */
export function formatUsd(v: number): string {
  const abs = Math.abs(v);
  const digits = abs < 100 ? 2 : 0;
  return `${v < 0 ? "−" : ""}$${abs.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}
