export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  return (
    <span className={`badge ${status}`} data-testid={testId}>
      {status.replace(/_/g, " ")}
    </span>
  );
}
