/** A labelled progress bar; `status` colours the fill (succeeded, failed, cancelled). */
export function ProgressBar({ percent, status, label }: { percent: number; status?: string; label?: string }) {
  const clamped = Math.min(100, Math.max(0, Number.isFinite(percent) ? percent : 0));
  return (
    <div className="progress">
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label ?? "Progress"}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(clamped)}
      >
        <div className={`progress-fill ${status ?? ""}`} style={{ width: `${clamped}%` }} />
      </div>
      <span className="progress-value">{clamped.toFixed(0)}%</span>
    </div>
  );
}
