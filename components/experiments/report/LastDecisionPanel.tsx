// The scheduler's latest decision on the current stage, with each gate check behind it.
import { formatDateTime } from "@/components/format";
import type { StageDecision } from "@/lib/experiments/experiment-view";
import { DataTable } from "@/components/DataTable";

const CHECK_BADGE: Record<string, string> = { pass: "ok", wait: "warn", breach: "err", severe: "err" };

export function LastDecisionPanel({ decision }: { decision: StageDecision }) {
  return (
    <section className="panel" data-testid="last-decision">
      <h2>
        Latest scheduler decision: <span className="mono">{decision.action}</span>{" "}
        <span className="muted" style={{ fontWeight: 400, fontSize: 13 }}>
          {formatDateTime(decision.at)}
        </span>
      </h2>
      <p>{decision.reason}</p>
      {decision.numbers?.checks ? (
        <DataTable columns={[]} wrap="bare">
          {decision.numbers.checks.map((c) => (
            <tr key={c.name}>
              <td style={{ width: 200 }}>{c.name}</td>
              <td style={{ width: 80 }}>
                <span className={`badge ${CHECK_BADGE[c.status] ?? ""}`}>{c.status}</span>
              </td>
              <td>{c.detail}</td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </section>
  );
}
