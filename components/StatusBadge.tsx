/** A coloured pill; `status` picks the colour (see .badge.* in globals.css), `label` overrides the text. */
export function StatusBadge({ status, label, testId }: { status: string; label?: string; testId?: string }) {
  return (
    <span className={`badge ${status}`} data-testid={testId}>
      {label ?? status.replace(/_/g, " ")}
    </span>
  );
}
