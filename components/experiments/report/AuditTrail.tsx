// Every recorded action on the experiment (and the serving slot changes it caused), oldest first.
import { DataTable } from "@/components/DataTable";
import { formatDateTime } from "@/components/format";
import type { ExperimentView } from "@/lib/experiments/experiment-view";

export function AuditTrail({ entries }: { entries: ExperimentView["audit"] }) {
  return (
    <section className="panel">
      <h2>Audit trail</h2>
      <DataTable columns={["Time", "Actor", "Action", "Reason", "Numbers"]} label="Report table (scrolls sideways)" testId="audit-trail">
        {entries.map((a) => (
          <tr key={a.id}>
            <td style={{ whiteSpace: "nowrap" }}>{formatDateTime(a.at)}</td>
            <td>{a.actor}</td>
            <td className="mono">{a.action}</td>
            <td style={{ maxWidth: 420 }}>{a.reason || "—"}</td>
            <td>
              <details>
                <summary className="muted">data</summary>
                <pre className="log" tabIndex={0} role="region" aria-label="Details" style={{ maxWidth: 520 }}>
                  {JSON.stringify(a.data, null, 2)}
                </pre>
              </details>
            </td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}
