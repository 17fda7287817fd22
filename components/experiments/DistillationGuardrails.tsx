// The report's guardrails for distilled students: teacher agreement of the candidate's live slates
// (per stage, with a chart) and the niche-user segment table with Benjamini–Hochberg control.
import { formatKpiValue } from "@/lib/experiments/analysis";
import { KPI_DEFINITIONS } from "@/lib/experiments/kpis";
import type { ExperimentReport } from "@/lib/experiments/report";
import { SEGMENT_LABELS } from "@/lib/experiments/user-segments";
import { TeacherAgreementChart } from "./TeacherAgreementChart";
import { DataTable, numeric } from "@/components/DataTable";

const pct = (x: number | null, digits = 1) => (x === null ? "—" : `${(x * 100).toFixed(digits)}%`);
const pValue = (p: number | null) => (p === null ? "—" : p < 0.0001 ? p.toExponential(1) : p.toFixed(4));

export function DistillationGuardrails({ report }: { report: ExperimentReport }) {
  const d = report.distillation;
  if (!d) return null;
  const a = d.teacherAgreement;
  const s = d.segments;
  return (
    <section className="panel" data-testid="distillation-guardrails">
      <h2>Guardrails for the distilled student</h2>
      {a ? (
        <>
          <h3>Teacher agreement of live slates</h3>
          <p data-testid="teacher-agreement">
            {a.current.mean === null ? (
              <>No scored slate in this window{a.pending > 0 ? ` (${a.pending} waiting to be scored)` : ""}.</>
            ) : (
              <>
                Mean overlap@10 <strong>{a.current.mean.toFixed(3)}</strong>
                {a.current.ci ? ` (95% CI ${a.current.ci[0].toFixed(3)}–${a.current.ci[1].toFixed(3)})` : ""} over {a.current.n} sampled slates
                {a.pending > 0 ? `, ${a.pending} waiting to be scored` : ""};{" "}
                {a.current.mean < a.threshold ? (
                  <span className="badge err">below {a.threshold}: holds the stage</span>
                ) : (
                  <span className="badge ok">at or above {a.threshold}</span>
                )}
              </>
            )}
          </p>
          <TeacherAgreementChart stages={a.byStage} threshold={a.threshold} />
          <p className="muted">
            {pct(a.sampleRate, 0)} of the candidate&apos;s requests (chosen from the request id) keep their served list; a job compares it every minute with the
            top-10 of {a.referenceModelId ? <code>{a.referenceModelId}</code> : "the reference model"} (the candidate&apos;s teacher, else the control) for the
            same user and exclusions. The stage is held while the mean is below {a.threshold}, judged from {a.minSamples} scored slates.
          </p>
        </>
      ) : null}
      {s ? (
        <>
          <h3 style={{ marginTop: 16 }}>Niche users</h3>
          {!s.computed ? (
            <p className="muted">The user segments of the candidate&apos;s training dataset are not computed yet (the job runs every minute).</p>
          ) : (
            <DataTable
              columns={[
                "Segment",
                "KPI",
                numeric("Users (control / candidate)"),
                numeric("Control"),
                numeric("Candidate"),
                numeric("Lift"),
                numeric("Always-valid CI"),
                numeric("Margin"),
                numeric("p (worse)"),
                numeric("BH p"),
                "Verdict",
              ]}
              label="Segment table (scrolls sideways)"
              testId="segment-table"
            >
              {s.results.map((r) => (
                <tr key={`${r.segment}-${r.kpi}`} data-segment={r.segment} data-kpi={r.kpi}>
                  <td>{SEGMENT_LABELS[r.segment]}</td>
                  <td>{KPI_DEFINITIONS[r.kpi].label}</td>
                  <td className="num">
                    {r.control.n} / {r.candidate.n}
                  </td>
                  <td className="num">{formatKpiValue(r.kpi, r.control.value)}</td>
                  <td className="num">{formatKpiValue(r.kpi, r.candidate.value)}</td>
                  <td className="num">{r.lift === null ? "—" : `${r.lift >= 0 ? "+" : "−"}${pct(Math.abs(r.lift))}`}</td>
                  <td className="num">{r.ci ? `[${pct(r.ci[0])}, ${pct(r.ci[1])}]` : "—"}</td>
                  <td className="num">−{pct(r.margin)}</td>
                  <td className="num">{pValue(r.pWorse)}</td>
                  <td className="num">{pValue(r.pAdjusted)}</td>
                  <td>
                    {r.worse ? (
                      <span className="badge err">worse: holds the stage</span>
                    ) : r.pAdjusted === null ? (
                      <span className="badge warn">not tested</span>
                    ) : (
                      <span className="badge ok">not shown worse</span>
                    )}
                    {r.note ? <div className="muted">{r.note}</div> : null}
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
          <p className="muted">
            Long-tail users: most of their training interactions are outside the most popular 20% of items
            {s.headItems !== null ? ` (${s.headItems} items)` : ""}; cold users: at most 5 training interactions (users the training data does not know
            included). A segment holds the stage when a KPI is worse than control beyond its margin, tested with always-valid p-values and Benjamini–Hochberg
            control of the false-discovery rate at {s.fdr} across segments × KPIs.
          </p>
        </>
      ) : null}
    </section>
  );
}
