// Each KPI's lift with both intervals and its non-inferiority verdict, as a table and a forest plot.
import { DataTable } from "@/components/DataTable";
import { formatKpiValue } from "@/lib/experiments/analysis";
import type { Guardrails } from "@/lib/experiments/config";
import { KPI_DEFINITIONS } from "@/lib/experiments/kpis";
import type { ExperimentReport } from "@/lib/experiments/report";
import { ForestPlot } from "./ForestPlot";
import { pValue, pct } from "./format";

const VERDICT: Record<string, { label: string; badge: string }> = {
  non_inferior: { label: "non-inferior", badge: "ok" },
  inferior: { label: "inferior", badge: "err" },
  inconclusive: { label: "not yet shown", badge: "warn" },
};

const COLUMNS = [
  "KPI",
  ...["Control", "Candidate", "Lift", "Always-valid CI", "Fixed-horizon CI", "Always-valid p", "Holm p", "Margin"].map((label) => ({ label, num: true })),
  "Non-inferiority",
];

export function KpiSection({ report, guardrails }: { report: ExperimentReport; guardrails: Guardrails }) {
  return (
    <section className="panel">
      <h2>KPIs</h2>
      <DataTable columns={COLUMNS} label="Report table (scrolls sideways)" testId="kpi-table">
        {report.kpis.map((k) => (
          <tr key={k.kpi} data-kpi={k.kpi}>
            <td title={KPI_DEFINITIONS[k.kpi].description}>{KPI_DEFINITIONS[k.kpi].label}</td>
            <td className="num">{formatKpiValue(k.kpi, k.control.value)}</td>
            <td className="num">{formatKpiValue(k.kpi, k.candidate.value)}</td>
            <td className="num">
              {k.lift === null ? "—" : `${k.lift >= 0 ? "+" : ""}${pct(k.lift, 1)}`}
              {k.cuped ? (
                <span className="badge info" title="variance reduced with each user's pre-experiment activity (CUPED)" style={{ marginLeft: 6 }}>
                  CUPED
                </span>
              ) : null}
            </td>
            <td className="num">{k.ci ? `[${pct(k.ci[0], 1)}, ${pct(k.ci[1], 1)}]` : "—"}</td>
            <td className="num">{k.fixedCi ? `[${pct(k.fixedCi[0], 1)}, ${pct(k.fixedCi[1], 1)}]` : "—"}</td>
            <td className="num">{pValue(k.pValue)}</td>
            <td className="num">{pValue(k.pHolm)}</td>
            <td className="num">−{pct(k.margin, 1)}</td>
            <td>
              <span className={`badge ${VERDICT[k.verdict].badge}`}>{VERDICT[k.verdict].label}</span>
              {k.severeInferior ? <span className="badge err"> severe</span> : null}
              {k.note ? <div className="muted">{k.note}</div> : null}
            </td>
          </tr>
        ))}
      </DataTable>
      <h3 style={{ marginTop: 16 }}>Relative lift, candidate vs control</h3>
      <ForestPlot kpis={report.kpis} />
      <p className="muted">
        Thick bar: always-valid (mSPRT) {pct(1 - report.alpha, 0)} confidence sequence, safe to watch continuously; thin bar: fixed-horizon CI for reference;
        dashed red line: −margin. A KPI passes when the thick bar lies entirely right of its dashed line. Holm adjusts the always-valid p-values across this
        experiment&apos;s KPIs. Values are per user (users are the unit of randomisation); CUPED-adjusted values (conversion, revenue) use each user&apos;s
        activity in the {guardrails.cupedLookbackDays} days before the experiment.
      </p>
    </section>
  );
}
