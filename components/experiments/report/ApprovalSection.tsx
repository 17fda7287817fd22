// The production cutover waiting for a decision, and the decisions people made.
import { formatDateTime } from "@/components/format";
import type { ExperimentView } from "@/lib/experiments/experiment-view";
import { ApprovalPanel } from "./ApprovalPanel";

export function CutoverApproval({ experimentId, approval }: { experimentId: string; approval: NonNullable<ExperimentView["approval"]> }) {
  return (
    <section className="panel" style={{ borderColor: "#bcd3f2" }}>
      <h2>Production cutover: approval needed</h2>
      <ApprovalPanel experimentId={experimentId} blockedReason={approval.blockedReason} candidateName={approval.candidateName} />
    </section>
  );
}

export function ApprovalHistory({ approvals }: { approvals: ExperimentView["approvals"] }) {
  if (approvals.length === 0) return null;
  return (
    <section className="panel">
      <h2>Approvals</h2>
      <ul data-testid="approvals">
        {approvals.map((a) => (
          <li key={a.id}>
            <strong>{a.decision}</strong> by {a.email} at {formatDateTime(a.at)}
            {a.comment ? `: “${a.comment}”` : ""}
          </li>
        ))}
      </ul>
    </section>
  );
}
