// What the offline comparison page says about a teacher and its students: each model's share of the
// teacher's quality, the one-line headline, and the monthly serving cost of switching.
//
// Monthly cost of serving one model at a request rate (30.4 days, 730 hours a month):
//   cpu    = requests/day × 30.4 × CPU seconds per request / 3600 × price per vCPU-hour
//   memory = model size (GiB) × price per GiB-hour × 730, one resident copy
// CPU seconds per request is the CPU time of one scoring call measured by the comparison (full
// catalogue + top-k; process CPU time, not wall clock, so a busy machine's pauses cost nothing), the
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
  /** mean CPU µs of one scoring call (the cost figure) */
  cpuUsPerRequest: number;
  /** wall-clock median of one scoring call (the latency figure) */
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
  // the wall-clock median: what a caller waits, robust to the pauses of a busy machine
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
  for (const [name, v] of Object.entries({
    requestsPerDay,
    cpuSecondsPerRequest,
    modelBytes,
    vcpuHourUsd: prices.vcpuHourUsd,
    gibHourUsd: prices.gibHourUsd,
  })) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`${name} must be a non-negative number, got ${v}`);
  }
  const cpu = ((requestsPerDay * DAYS_PER_MONTH * cpuSecondsPerRequest) / 3600) * prices.vcpuHourUsd;
  const memory = (modelBytes / 2 ** 30) * prices.gibHourUsd * HOURS_PER_MONTH;
  return { cpu, memory, total: cpu + memory };
}

/** One side of a switch as the ROI card shows it: what a request costs, the model's size, what it keeps. */
export interface RoiArm {
  id: string;
  name: string;
  /** mean CPU milliseconds one request costs (measured by the comparison or in serving) */
  cpuMsPerRequest: number;
  sizeBytes: number;
  /** the card's quality column for this arm, e.g. "96.1%" or "−0.4% [−1.1%, +0.3%]" */
  quality: string;
  /** what switching to this arm changes besides cost, e.g. "gives up 3.9% of the teacher's NDCG@10" */
  tradeOff: string;
}

export interface SwitchCost {
  from: MonthlyCost;
  to: MonthlyCost;
  /** from − to per month (negative: the switch costs more) */
  saving: number;
  /** saving / from total, null when `from` costs nothing */
  savingShare: number | null;
}

/** Monthly cost of serving every request with `from` and with `to`, and what the switch saves. */
export function switchCost(
  from: Pick<RoiArm, "cpuMsPerRequest" | "sizeBytes">,
  to: Pick<RoiArm, "cpuMsPerRequest" | "sizeBytes">,
  requestsPerDay: number,
  prices: Prices,
): SwitchCost {
  const cost = (m: typeof from) => monthlyServingCost({ requestsPerDay, cpuSecondsPerRequest: m.cpuMsPerRequest / 1000, modelBytes: m.sizeBytes, prices });
  const f = cost(from);
  const t = cost(to);
  return { from: f, to: t, saving: f.total - t.total, savingShare: f.total > 0 ? (f.total - t.total) / f.total : null };
}

/** "Switching saves $3.20/month (87.6% of the teacher's serving cost)", or what it costs more. */
export function switchCostSentence(cost: SwitchCost, fromLabel: string): string {
  const share = cost.savingShare === null ? "" : formatShare(Math.abs(cost.savingShare));
  if (cost.saving >= 0) return `Switching saves ${formatUsd(cost.saving)}/month${share ? ` (${share} of the ${fromLabel}'s serving cost)` : ""}`;
  return `Switching costs ${formatUsd(-cost.saving)}/month more${share ? ` (${share} above the ${fromLabel}'s serving cost)` : ""}`;
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

const comparedCost = (m: Pick<ComparedModelSummary, "cpuUsPerRequest" | "sizeBytes">) => ({
  cpuMsPerRequest: m.cpuUsPerRequest / 1000,
  sizeBytes: m.sizeBytes,
});

export function switchRoi(
  teacher: Pick<ComparedModelSummary, "cpuUsPerRequest" | "sizeBytes" | "sampled">,
  student: Pick<ComparedModelSummary, "cpuUsPerRequest" | "sizeBytes" | "sampled">,
  requestsPerDay: number,
  prices: Prices,
): SwitchRoi {
  const c = switchCost(comparedCost(teacher), comparedCost(student), requestsPerDay, prices);
  const share = shareOf(student.sampled["N@10"], teacher.sampled["N@10"]);
  return { teacher: c.from, student: c.to, saving: c.saving, savingShare: c.savingShare, qualityGivenUp: share === null ? null : 1 - share };
}

/** A compared model as the ROI card's arm: the comparison's mean CPU time per scoring call, its share of the teacher's NDCG@10. */
export function comparisonRoiArm(teacher: ComparedModelSummary, model: ComparedModelSummary): RoiArm {
  const share = model.id === teacher.id ? 1 : shareOf(model.sampled["N@10"], teacher.sampled["N@10"]);
  const tradeOff =
    share === null
      ? "its NDCG@10 against the teacher's is unknown"
      : share <= 1
        ? `gives up ${formatShare(1 - share)} of the teacher's NDCG@10`
        : `gains ${formatShare(share - 1)} over the teacher's NDCG@10`;
  return { id: model.id, name: model.name, ...comparedCost(model), quality: formatShare(share), tradeOff };
}

/** "$1,234" under $10k with cents below $100 */
export function formatUsd(v: number): string {
  const abs = Math.abs(v);
  const digits = abs < 100 ? 2 : 0;
  return `${v < 0 ? "−" : ""}$${abs.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}
