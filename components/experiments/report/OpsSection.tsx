// Requests, errors, latency percentiles and serving cost per arm, with the guardrail ceilings.
import { BarChart } from "@/components/charts/BarChart";
import { DataTable } from "@/components/DataTable";
import { formatInt } from "@/components/format";
import type { Guardrails } from "@/lib/experiments/config";
import type { ExperimentReport, OpsStats } from "@/lib/experiments/report";
import { ms, pct, usd } from "./format";

export function OpsSection({ report, guardrails }: { report: ExperimentReport; guardrails: Guardrails }) {
  const v = report.variants;
  const rows: [string, (o: OpsStats) => string][] = [
    ["Requests", (o) => formatInt(o.requests)],
    ["Failed (production answered)", (o) => formatInt(o.failed)],
    [`Error rate (ceiling ${pct(guardrails.errorRate)})`, (o) => pct(o.errorRate)],
    ["Latency p50", (o) => ms(o.p50Ms)],
    [`Latency p95 (ceiling ${guardrails.latencyP95Ms} ms)`, (o) => ms(o.p95Ms)],
    ["Latency p99", (o) => ms(o.p99Ms)],
    // requests of one micro-batch share its latency: the latency tests count them as their effective n
    [
      "Latency sample: requests (effective n)",
      (o) => `${formatInt(o.requests)} (${o.latencyEffectiveN == null ? "—" : formatInt(Math.round(o.latencyEffectiveN))})`,
    ],
    ["CPU per request", (o) => ms(o.meanCpuMs)],
    ["Cost per 1,000 requests: CPU", (o) => (o.costPer1k ? usd(o.costPer1k.cpu) : "—")],
    ["Cost per 1,000 requests: model memory", (o) => (o.costPer1k ? usd(o.costPer1k.memory) : "—")],
    ["Cost per 1,000 requests: total", (o) => (o.costPer1k ? usd(o.costPer1k.total) : "—")],
  ];
  return (
    <section className="panel">
      <h2>Latency, errors and cost</h2>
      <DataTable columns={["", { label: "Control", num: true }, { label: "Candidate", num: true }]} label="Report table (scrolls sideways)" testId="ops-table">
        {rows.map(([label, f]) => (
          <tr key={label}>
            <td>{label}</td>
            <td className="num">{f(v.control.ops)}</td>
            <td className="num">{f(v.candidate.ops)}</td>
          </tr>
        ))}
      </DataTable>
      <p className="muted">
        Cost = mean CPU time × price per vCPU-hour + model size × price per GiB-hour × window length ÷ all requests in the window (prices from
        UNDERSTUDY_VCPU_HOUR_USD and UNDERSTUDY_GIB_HOUR_USD; defaults $0.05 and $0.005).
      </p>
      <BarChart
        title="Latency percentiles per arm"
        categories={["p50", "p95", "p99"]}
        series={(["control", "candidate"] as const).map((k) => ({
          name: k,
          color: k === "control" ? "#5d6b7e" : "#2856c8",
          values: [v[k].ops.p50Ms, v[k].ops.p95Ms, v[k].ops.p99Ms],
        }))}
        valueLabel={`request latency (ms; p95 ceiling ${guardrails.latencyP95Ms} ms)`}
        format="ms:2"
        testId="chart-latency"
      />
    </section>
  );
}
