// Gates for distilled students, judged from a report's numbers. Pure. Both hold the stage (status
// "wait") on evidence: a student whose sampled slates agree too little with its teacher, or that is
// significantly worse for niche users, is not moved on. Without evidence they do not hold, like the
// latency quantile test: no sampled slate in the stage (traffic not served by our serving processes),
// segments not computed yet or too few users in a segment read "not judged", and the overall KPI gates
// still need their own positive evidence. Once slates are being sampled, the stage waits for enough of
// them to be scored.
import type { Guardrails } from "./config";
import type { GateCheck } from "./gates";
import { KPI_DEFINITIONS } from "./kpis";
import type { ExperimentReport } from "./report";
import { SEGMENT_LABELS } from "./user-segments";

const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`;
const signedPct = (x: number) => (x < 0 ? `−${pct(-x)}` : `+${pct(x)}`);

/** Mean overlap@10 of the candidate's sampled slates with the teacher's; null when switched off. */
export function teacherAgreementCheck(report: ExperimentReport, g: Guardrails): GateCheck | null {
  const d = g.distillation;
  const a = report.distillation?.teacherAgreement;
  if (d.minTeacherAgreement <= 0 || d.teacherAgreementSampleRate <= 0 || !a) return null;
  const name = "teacher agreement";
  const threshold = d.minTeacherAgreement;
  const { n, mean, ci } = a.current;
  if (n === 0 && a.pending === 0) {
    return { name, status: "pass", detail: "teacher agreement: not judged, no sampled slate in this stage", value: null, threshold };
  }
  if (n < d.minAgreementSamples || mean === null) {
    const pending = a.pending > 0 ? `, ${a.pending} waiting to be scored` : "";
    return { name, status: "wait", detail: `teacher agreement: ${n} of ${d.minAgreementSamples} sampled slates scored${pending}`, value: mean, threshold };
  }
  const interval = ci ? ` (95% CI ${ci[0].toFixed(3)} to ${ci[1].toFixed(3)}, ${n} slates)` : ` (${n} slates)`;
  return mean < threshold
    ? {
        name,
        status: "wait",
        detail: `teacher agreement held: mean overlap@10 with the teacher ${mean.toFixed(3)} < ${threshold}${interval}`,
        value: mean,
        threshold,
      }
    : { name, status: "pass", detail: `teacher agreement: mean overlap@10 ${mean.toFixed(3)} ≥ ${threshold}${interval}`, value: mean, threshold };
}

/** One check per segment: held when any of its KPIs is significantly worse beyond the margin (BH). */
export function segmentChecks(report: ExperimentReport, g: Guardrails): GateCheck[] {
  const s = report.distillation?.segments;
  if (!g.distillation.segmentGuardrails || !s) return [];
  if (!s.computed) {
    return [
      {
        name: "niche users",
        status: "pass",
        detail: "niche users: not judged, the user segments of the candidate's training dataset are not computed yet",
        value: null,
        threshold: null,
      },
    ];
  }
  return s.segments.map(({ segment }) => {
    const label = SEGMENT_LABELS[segment];
    const name = `${label.toLowerCase()}`;
    const results = s.results.filter((r) => r.segment === segment);
    const worse = results.filter((r) => r.worse);
    if (worse.length > 0) {
      const what = worse
        .map(
          (r) => `${KPI_DEFINITIONS[r.kpi].label} lift ${signedPct(r.lift ?? 0)} below −${pct(r.margin)} (BH-adjusted p=${(r.pAdjusted ?? 1).toPrecision(3)})`,
        )
        .join(", ");
      return {
        name,
        status: "wait",
        detail: `${label} held: significantly worse beyond the margin at FDR ${s.fdr}: ${what}`,
        value: worse[0].lift,
        threshold: -worse[0].margin,
      };
    }
    const tested = results.filter((r) => r.pAdjusted !== null).length;
    const detail =
      tested === 0
        ? `${label}: not judged yet (${results[0]?.note ?? "no KPI"})`
        : `${label}: no KPI significantly worse beyond its margin (${tested} tested, FDR ${s.fdr})`;
    return { name, status: "pass", detail, value: null, threshold: null };
  });
}

/** The distillation checks the rollout gates add to the others. */
export function distillationChecks(report: ExperimentReport, g: Guardrails): GateCheck[] {
  const agreement = teacherAgreementCheck(report, g);
  return [...(agreement ? [agreement] : []), ...segmentChecks(report, g)];
}
