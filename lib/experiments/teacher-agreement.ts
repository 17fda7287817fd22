// Teacher agreement of the candidate's live slates: which requests are sampled, and overlap@k of a
// served list with the reference model's list for the same user. Pure.
import { hashString } from "./assignment";

/** Length of the lists compared: overlap@10. */
export const AGREEMENT_K = 10;

/**
 * Whether a request's slate is sampled at `rate` (0..1): decided from its id alone, so the decision is
 * reproducible and independent of the user and of what was served.
 */
export function isSampledRequest(requestId: string, rate: number): boolean {
  if (!(rate > 0)) return false;
  if (rate >= 1) return true;
  return hashString(`slate:${requestId}`) / 4294967296 < rate;
}

/**
 * |served[:k'] ∩ reference[:k']| / k' with k' = min(k, served length): a client that asked for fewer
 * than 10 items is compared on the lists of the length it was served. null for an empty slate.
 */
export function overlapAtK(served: readonly string[], reference: readonly string[], k = AGREEMENT_K): number | null {
  const depth = Math.min(k, served.length);
  if (depth === 0) return null;
  const top = new Set(reference.slice(0, depth));
  let hits = 0;
  for (let i = 0; i < depth; i++) if (top.has(served[i])) hits++;
  return hits / depth;
}

/** Scored samples of one window (a stage), as the database sums them. */
export interface AgreementSums {
  n: number;
  sum: number;
  sumSquares: number;
}

export interface AgreementSummary {
  n: number;
  mean: number | null;
  /** normal-approximation 95% interval of the mean (samples are independent requests) */
  ci: [number, number] | null;
}

const Z95 = 1.959963984540054;

export function summarizeAgreement(s: AgreementSums): AgreementSummary {
  if (s.n === 0) return { n: 0, mean: null, ci: null };
  const mean = s.sum / s.n;
  if (s.n < 2) return { n: s.n, mean, ci: null };
  const variance = Math.max(0, (s.sumSquares - s.n * mean * mean) / (s.n - 1));
  const half = Z95 * Math.sqrt(variance / s.n);
  return { n: s.n, mean, ci: [Math.max(0, mean - half), Math.min(1, mean + half)] };
}

export interface StageAgreement extends AgreementSummary {
  stageIndex: number;
  percent: number;
}

/** What the report carries about teacher agreement. */
export interface TeacherAgreementReport {
  /** the model the slates are compared with: the candidate's teacher, else the control model */
  referenceModelId: string | null;
  sampleRate: number;
  threshold: number;
  minSamples: number;
  /** the report's window */
  current: AgreementSummary;
  /** samples of the window not scored yet (the scoring job runs every minute) */
  pending: number;
  /** every started stage, for the chart */
  byStage: StageAgreement[];
}
