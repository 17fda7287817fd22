import Link from "next/link";
import { formatDateTime } from "@/components/format";
import { DriftCharts } from "@/components/loop/DriftCharts";
import { GateTable } from "@/components/loop/GateTable";
import type { LiveDriftDecision } from "@/lib/drift/live";

export interface LoopEventView {
  id: string;
  kind: string;
  summary: string;
  entityType: string;
  entityId: string;
  createdAt: Date;
}

const HREF: Record<string, (id: string) => string> = {
  drift_check: () => "#drift",
  redistill_run: () => "#redistill",
  experiment: (id) => `/experiments/${id}`,
  dataset: (id) => `/datasets/${id}`,
};

export function LoopEvents({ events }: { events: LoopEventView[] }) {
  if (events.length === 0) return <p className="muted">Nothing has happened in the loop yet.</p>;
  return (
    <ul className="plain" style={{ listStyle: "none", padding: 0, margin: 0 }}>
      {events.map((e) => (
        <li key={e.id} style={{ padding: "4px 0", borderBottom: "1px solid #eef1f5" }}>
          <span className="muted" style={{ fontSize: 12 }}>
            {formatDateTime(e.createdAt)}
          </span>{" "}
          <span className={`badge ${e.kind === "gate_failed" || e.kind === "drift_detected" ? "warn" : "ok"}`}>{e.kind.replace(/_/g, " ")}</span>{" "}
          <Link href={HREF[e.entityType]?.(e.entityId) ?? "#"}>{e.summary}</Link>
        </li>
      ))}
    </ul>
  );
}

export function driftPoints(checks: { createdAt: Date; metrics: { decision: Pick<LiveDriftDecision, "signals"> } }[]) {
  return checks.map((c) => ({ createdAt: c.createdAt, signals: c.metrics.decision.signals }));
}

export { DriftCharts, GateTable };
