// The experiment's catalogue metrics in the report: primary first, then secondary, then guardrails,
// each with the test of its aggregation; the primary and guardrail metrics gate the rollout.
import type { CatalogueMetricResult } from "@/lib/experiments/report";
import { LiftForestPlot } from "./ForestPlot";
import { DataTable, numeric } from "@/components/DataTable";

const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`;
const pValue = (p: number | null) => (p === null ? "—" : p < 0.0001 ? p.toExponential(1) : p.toFixed(4));
const interval = (ci: [number, number] | null) => (ci ? `[${pct(ci[0])}, ${pct(ci[1])}]` : "—");

const VERDICT: Record<string, { label: string; badge: string }> = {
  non_inferior: { label: "non-inferior", badge: "ok" },
  inferior: { label: "inferior", badge: "err" },
  inconclusive: { label: "not yet shown", badge: "warn" },
};
const ROLE_BADGE: Record<CatalogueMetricResult["role"], string> = { primary: "info", secondary: "", guardrail: "warn" };

function value(m: CatalogueMetricResult, v: number | null): string {
  if (v === null) return "—";
  if (m.aggregation === "share") return pct(v, 2);
  if (m.key === "ctr") return pct(v, 2);
  return Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(4);
}

export function CatalogueMetricsSection({ metrics, alpha, severeAlpha }: { metrics: CatalogueMetricResult[]; alpha: number; severeAlpha: number }) {
  return (
    <section className="panel">
      <h2>Metrics</h2>
      <DataTable
        columns={[
          "Metric",
          "Role",
          numeric("Control"),
          numeric("Candidate"),
          numeric("Lift"),
          numeric("Always-valid CI"),
          numeric("Fixed-horizon CI"),
          numeric("Always-valid p"),
          numeric("Holm p"),
          numeric("Margin"),
          "Non-inferiority",
        ]}
        label="Metrics table (scrolls sideways)"
        testId="metric-results"
      >
        {metrics.map((m) => (
          <tr key={m.key} data-metric={m.key} data-role={m.role}>
            <td style={{ maxWidth: 260 }}>
              <strong>{m.name}</strong>
              <div className="muted">{m.description}</div>
              <div className="muted" style={{ fontSize: 12 }}>
                {m.test}
                {m.direction === "lowerIsBetter" ? " · lower is better" : ""}
              </div>
            </td>
            <td>
              <span className={`badge ${ROLE_BADGE[m.role]}`}>{m.role}</span>
            </td>
            <td className="num">{value(m, m.control.value)}</td>
            <td className="num">{value(m, m.candidate.value)}</td>
            <td className="num">
              {m.lift === null ? "—" : `${m.lift >= 0 ? "+" : ""}${pct(m.lift)}`}
              {m.cuped ? (
                <span className="badge info" title="variance reduced with each user's pre-experiment activity (CUPED)" style={{ marginLeft: 6 }}>
                  CUPED
                </span>
              ) : null}
            </td>
            <td className="num">{interval(m.ci)}</td>
            <td className="num">
              {interval(m.fixedCi)}
              {m.fixedPValue !== null ? <div className="muted">p {pValue(m.fixedPValue)}</div> : null}
            </td>
            <td className="num">{pValue(m.pValue)}</td>
            <td className="num">{m.role === "guardrail" ? "—" : pValue(m.pHolm)}</td>
            <td className="num">{m.direction === "lowerIsBetter" ? `+${pct(m.margin)}` : `−${pct(m.margin)}`}</td>
            <td>
              {m.role === "secondary" ? (
                <span className="muted">reported, not gating</span>
              ) : (
                <>
                  <span className={`badge ${VERDICT[m.verdict].badge}`}>{VERDICT[m.verdict].label}</span>
                  {m.severeInferior ? <span className="badge err"> severe</span> : null}
                </>
              )}
              {m.note ? <div className="muted">{m.note}</div> : null}
            </td>
          </tr>
        ))}
      </DataTable>
      <h3 style={{ marginTop: 16 }}>Relative difference, candidate vs control</h3>
      <LiftForestPlot
        rows={metrics.map((m) => ({
          key: m.key,
          label: m.name,
          lift: m.lift,
          ci: m.ci,
          fixedCi: m.fixedCi,
          marginLine: m.direction === "lowerIsBetter" ? m.margin : -m.margin,
          verdict: m.role === "secondary" ? "secondary" : m.verdict,
        }))}
        label="Relative difference of each metric with confidence intervals"
        testId="metric-forest-plot"
      />
      <p className="muted">
        Thick bar: always-valid (mSPRT) {pct(1 - alpha, 0)} confidence sequence, safe to watch continuously; thin bar: fixed-horizon CI of the metric&apos;s own
        test; dashed red line: the worst acceptable difference (−margin, or +margin when lower is better). The primary metric and every guardrail must be shown
        non-inferior for a stage to advance; one shown worse beyond its margin pauses the rollout, and shown worse at α = {severeAlpha} is a severe breach.
        Secondary metrics are reported only; Holm adjusts the always-valid p-values of the primary and secondary metrics. Shares and means are per user, ratios
        divide sums over users (delta method clustered by user), quantiles compare one value per request or event (order-statistic interval; requests of one
        user are treated as independent).
      </p>
    </section>
  );
}
