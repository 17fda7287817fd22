// The Overview's alert panel: recent unacknowledged alerts (drift, gates, candidates, breaches, rollbacks).
import Link from "next/link";
import { AlertList, type AlertView } from "@/components/alerts/AlertList";
import { hasRole, type Role } from "@/lib/auth/roles";
import { countUnacknowledgedAlerts, listAlerts, type AlertWithLinks } from "@/lib/db/alerts";

const SHOWN = 6;

export function alertView(a: AlertWithLinks): AlertView {
  const data = (a.data ?? {}) as Record<string, unknown>;
  return {
    id: a.id,
    type: a.type,
    severity: a.severity,
    title: a.title,
    message: a.message,
    createdAt: a.createdAt,
    acknowledgedAt: a.acknowledgedAt,
    acknowledgedByLabel: a.acknowledgedByLabel,
    model: a.model,
    experiment: a.experiment,
    datasetId: typeof data.datasetId === "string" ? data.datasetId : null,
  };
}

export async function OverviewAlerts({ role }: { role: Role }) {
  const [alerts, open] = await Promise.all([listAlerts({ unacknowledgedOnly: true, limit: SHOWN }), countUnacknowledgedAlerts()]);
  return (
    <section className="panel" data-testid="overview-alerts">
      <h2>
        Alerts{open > 0 ? ` (${open} open)` : ""}{" "}
        <Link href="/alerts" style={{ fontWeight: 400, fontSize: 13 }}>
          all →
        </Link>
      </h2>
      {alerts.length === 0 ? (
        <p className="muted" style={{ margin: 0 }}>
          No open alerts.
        </p>
      ) : (
        <>
          <AlertList alerts={alerts.map(alertView)} canAcknowledge={hasRole(role, "editor")} />
          {open > alerts.length ? (
            <p className="muted" style={{ margin: "8px 0 0" }}>
              and {open - alerts.length} more: <Link href="/alerts">see all alerts</Link>
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}
