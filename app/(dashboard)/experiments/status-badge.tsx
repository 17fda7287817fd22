// Experiment status as a coloured badge (maps onto the shared badge palette).
const BADGE_CLASS: Record<string, string> = {
  draft: "",
  running: "running",
  paused: "warn",
  awaiting_approval: "queued",
  completed: "succeeded",
  rolled_back: "failed",
  cancelled: "cancelled",
};

export function ExperimentStatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge ${BADGE_CLASS[status] ?? ""}`} data-testid="experiment-status">
      {status.replace(/_/g, " ")}
    </span>
  );
}
