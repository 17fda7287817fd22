// The ramp's stages with their last decisions, and the gates every stage must pass.
import Link from "next/link";
import { DataTable } from "@/components/DataTable";
import { formatDateTime, formatInt } from "@/components/format";
import type { Guardrails } from "@/lib/experiments/config";
import type { ExperimentView } from "@/lib/experiments/experiment-view";
import { pct } from "./format";

const STAGE_BADGE: Record<string, string> = { pending: "", active: "running", passed: "succeeded", paused: "warn", rolled_back: "failed" };

export function RampSection({ experimentId, ramp, guardrails }: { experimentId: string; ramp: ExperimentView["ramp"]; guardrails: Guardrails }) {
  return (
    <section className="panel">
      <h2>Ramp</h2>
      <DataTable
        columns={["Stage", { label: "Candidate %", num: true }, "Status", "Started", "Ended", "Last decision"]}
        label="Report table (scrolls sideways)"
        testId="ramp-table"
      >
        {ramp.rows.map((s) => (
          <tr key={s.id} style={s.current ? { background: "#f4f7ff" } : undefined}>
            <td>
              {s.startedAt ? <Link href={`/experiments/${experimentId}?scope=${s.index + 1}`}>{s.index + 1}</Link> : s.index + 1}
              {s.cutover ? <span className="muted"> (cutover, approval)</span> : null}
            </td>
            <td className="num">{s.percent}%</td>
            <td>
              <span className={`badge ${STAGE_BADGE[s.status] ?? ""}`}>{s.status.replace("_", " ")}</span>
            </td>
            <td>{formatDateTime(s.startedAt)}</td>
            <td>{formatDateTime(s.endedAt)}</td>
            <td style={{ maxWidth: 420 }}>{s.decision ?? "—"}</td>
          </tr>
        ))}
      </DataTable>
      <p className="muted" style={{ marginBottom: 0 }}>
        Gates per stage: ≥ {ramp.minStageMinutes} min, ≥ {formatInt(ramp.minStageExposures)} candidate exposures, no SRM (p ≥ {guardrails.srmPValue}), p95 ≤{" "}
        {guardrails.latencyP95Ms} ms, error rate ≤ {pct(guardrails.errorRate)}, each KPI non-inferior (always-valid CI at α = {guardrails.alpha}). Severe (
        {guardrails.severe.action === "rollback" ? "roll back" : "pause"}): error rate &gt; {guardrails.severe.errorRateMultiplier}× or p95 &gt;{" "}
        {guardrails.severe.latencyP95Multiplier}× the ceiling, or a KPI inferior at α = {guardrails.severe.kpiAlpha}. Evaluated every minute by the scheduler.
      </p>
    </section>
  );
}
