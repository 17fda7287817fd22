// Every recorded action on the experiment (and the serving slot changes it caused), oldest first.
import { DataTable } from "@/components/DataTable";
import { formatDateTime } from "@/components/format";
import type { ExperimentView } from "@/lib/experiments/experiment-view";
import { JsonBlock } from "@/components/JsonPanel";

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
                <JsonBlock label="Details" value={a.data} style={{ maxWidth: 520 }} />
              </details>
            </td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}
