// Server-rendered SVG forest plots of an experiment's KPI and metric lifts (the lines over time use components/charts).
import type { KpiResult } from "@/lib/experiments/report";
import { KPI_DEFINITIONS } from "@/lib/experiments/kpis";
import { pct } from "./format";

/** Relative lift of each KPI with its always-valid CI (thick), fixed-horizon CI (thin) and the −margin line. */
export function ForestPlot({ kpis }: { kpis: KpiResult[] }) {
  return (
    <LiftForestPlot
      rows={kpis.map((k) => ({
        key: k.kpi,
        label: KPI_DEFINITIONS[k.kpi].label,
        lift: k.lift,
        ci: k.ci,
        fixedCi: k.fixedCi,
        marginLine: -k.margin,
        verdict: k.verdict,
      }))}
      label="Relative lift of each KPI with confidence intervals"
      testId="forest-plot"
    />
  );
}

export interface ForestRow {
  key: string;
  label: string;
  lift: number | null;
  ci: [number, number] | null;
  fixedCi: [number, number] | null;
  /** the worst acceptable lift: −margin when higher is better, +margin when lower is better */
  marginLine: number;
  verdict: string;
}

/** Relative lifts with always-valid CI (thick), fixed-horizon CI (thin) and each row's margin line (dashed). */
export function LiftForestPlot({ rows: all, label, testId }: { rows: ForestRow[]; label: string; testId: string }) {
  const rows = all.filter((k) => k.lift !== null);
  if (rows.length === 0) return <p className="empty">No lift to plot yet: both arms need users with data.</p>;
  const width = 640;
  const rowH = 34;
  const left = 150;
  const right = 110;
  const top = 24;
  const height = top + rows.length * rowH + 24;
  const values: number[] = [0];
  for (const k of rows) {
    values.push(k.lift as number, k.marginLine);
    for (const ci of [k.ci, k.fixedCi]) if (ci) values.push(ci[0], ci[1]);
  }
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  const pad = (hi - lo) * 0.08 || 0.05;
  lo = Math.max(lo - pad, -1.5);
  hi = Math.min(hi + pad, 1.5);
  const x = (v: number) => left + ((Math.min(Math.max(v, lo), hi) - lo) / (hi - lo)) * (width - left - right);
  const ticks = niceTicks(lo, hi, 5);

  return (
    <svg className="chart" width="100%" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label} data-testid={testId}>
      {ticks.map((t) => (
        <g key={t}>
          <line x1={x(t)} x2={x(t)} y1={top - 6} y2={height - 20} stroke="#eef1f5" />
          <text x={x(t)} y={height - 6} textAnchor="middle">
            {pct(t, 1)}
          </text>
        </g>
      ))}
      <line x1={x(0)} x2={x(0)} y1={top - 10} y2={height - 20} stroke="#1c2430" strokeWidth={1} />
      <text x={x(0)} y={12} textAnchor="middle">
        no change
      </text>
      {rows.map((k, i) => {
        const y = top + i * rowH + rowH / 2;
        const color = k.verdict === "non_inferior" ? "#1f7a4a" : k.verdict === "inferior" ? "#b3261e" : "#8a5a00";
        return (
          <g key={k.key}>
            <text x={8} y={y + 4} style={{ fill: "#1c2430", fontSize: 12 }}>
              {k.label.length > 22 ? `${k.label.slice(0, 21)}…` : k.label}
            </text>
            <line x1={x(k.marginLine)} x2={x(k.marginLine)} y1={y - 12} y2={y + 12} stroke="#b3261e" strokeDasharray="3 2" />
            {k.ci ? <line x1={x(k.ci[0])} x2={x(k.ci[1])} y1={y} y2={y} stroke={color} strokeWidth={6} strokeOpacity={0.35} strokeLinecap="round" /> : null}
            {k.fixedCi ? <line x1={x(k.fixedCi[0])} x2={x(k.fixedCi[1])} y1={y} y2={y} stroke={color} strokeWidth={2} /> : null}
            <circle cx={x(k.lift as number)} cy={y} r={4.5} fill={color} />
            <text x={width - right + 8} y={y + 4} style={{ fill: "#1c2430", fontSize: 12 }}>
              {k.lift! >= 0 ? "+" : ""}
              {pct(k.lift as number, 1)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function niceTicks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12; v += step) out.push(Math.round(v / step) * step);
  return out;
}
