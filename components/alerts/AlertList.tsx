// Alerts as a compact list: severity, title, what it is about (links), when, and an Acknowledge button for editors.
import Link from "next/link";
import { StatusBadge } from "@/components/StatusBadge";
import { formatDateTime, formatRelative } from "@/components/format";
import { AcknowledgeButton } from "./AcknowledgeButton";

export interface AlertView {
  id: string;
  type: string;
  severity: "info" | "warning" | "critical";
  title: string;
  message: string;
  createdAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedByLabel: string | null;
  model: { id: string; name: string } | null;
  experiment: { id: string; name: string } | null;
  /** from the alert's data, when it is about a dataset (drift) */
  datasetId: string | null;
}

const SEVERITY_BADGE = { info: "info", warning: "warn", critical: "failed" } as const;

export function AlertList({ alerts, canAcknowledge }: { alerts: AlertView[]; canAcknowledge: boolean }) {
  return (
    <ul style={{ listStyle: "none", margin: 0, padding: 0 }} data-testid="alert-list">
      {alerts.map((a) => (
        <li
          key={a.id}
          style={{ display: "flex", gap: 12, alignItems: "flex-start", padding: "10px 0", borderTop: "1px solid var(--border)" }}
          data-testid="alert"
        >
          <div style={{ minWidth: 72 }}>
            <StatusBadge status={SEVERITY_BADGE[a.severity]} label={a.severity} />
          </div>
          <div style={{ flex: 1, minWidth: 0 }}>
            <div style={{ fontWeight: 600, overflowWrap: "anywhere" }}>{a.title}</div>
            {a.message ? (
              <div className="muted" style={{ fontSize: 13, overflowWrap: "anywhere" }}>
                {a.message}
              </div>
            ) : null}
            <div style={{ fontSize: 12.5, display: "flex", gap: 10, flexWrap: "wrap", marginTop: 2 }}>
              <span className="muted" title={formatDateTime(a.createdAt)}>
                {formatRelative(a.createdAt)}
              </span>
              <span className="mono muted">{a.type}</span>
              {a.experiment ? <Link href={`/experiments/${a.experiment.id}`}>experiment “{a.experiment.name}”</Link> : null}
              {a.model ? <Link href={`/models/${a.model.id}`}>model “{a.model.name}”</Link> : null}
              {a.datasetId ? <Link href={`/datasets/${a.datasetId}`}>dataset</Link> : null}
              {a.acknowledgedAt ? (
                <span className="muted">
                  acknowledged by {a.acknowledgedByLabel ?? "?"} {formatRelative(a.acknowledgedAt)}
                </span>
              ) : null}
            </div>
          </div>
          {canAcknowledge && !a.acknowledgedAt ? <AcknowledgeButton id={a.id} /> : null}
        </li>
      ))}
    </ul>
  );
}
