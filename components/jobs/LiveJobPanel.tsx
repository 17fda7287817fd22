"use client";

import { ProgressBar } from "@/components/ProgressBar";
import { StatusBadge } from "@/components/StatusBadge";
import { formatDateTime, formatDuration } from "@/components/format";
import { CancelJobButton } from "./CancelJobButton";
import { useJobPolling } from "./useJobPolling";
import { isTerminal, type JobLogView, type JobView } from "@/lib/jobs/view";
import { ErrorAlert } from "@/components/ErrorAlert";
import { JsonPanel } from "@/components/JsonPanel";
import { Facts } from "@/components/Facts";

/** A job's live status, progress, timings and log, as on its detail page. */
export function LiveJobPanel({ initial, initialLogs, canCancel }: { initial: JobView; initialLogs: JobLogView[]; canCancel: boolean }) {
  const { job, setJob, logs, stale } = useJobPolling(initial, initialLogs, true);
  const terminal = isTerminal(job.status);

  return (
    <>
      <section className="panel" aria-label="Job status">
        <div style={{ display: "flex", alignItems: "center", gap: 12, marginBottom: 12, flexWrap: "wrap" }}>
          <StatusBadge status={job.status} testId="job-status" />
          <div style={{ flex: 1, minWidth: 220 }}>
            <ProgressBar percent={job.progress} status={job.status} label="Job progress" />
          </div>
          {canCancel && !terminal ? <CancelJobButton jobId={job.id} onCancelled={setJob} /> : null}
        </div>
        <p data-testid="job-message" style={{ margin: "0 0 12px" }}>
          {job.message || <span className="muted">no message yet</span>}
          {job.cancelRequested && !terminal ? <span className="muted"> (cancellation requested)</span> : null}
        </p>
        <ErrorAlert error={job.error} style={{ marginBottom: 12 }} />
        {stale ? <p className="muted">Lost contact with the server; retrying…</p> : null}
        <Facts
          items={[
            ["Queue", job.queue],
            ["Attempts", job.attempts],
            ["Created", `${formatDateTime(job.createdAt)}${job.createdBy ? ` by ${job.createdBy}` : ""}`],
            ["Started", formatDateTime(job.startedAt)],
            ["Finished", formatDateTime(job.finishedAt)],
            ["Duration", job.startedAt ? formatDuration(job.startedAt, job.finishedAt) : "—"],
          ]}
        />
      </section>
      <section className="panel">
        <h2>Log</h2>
        {logs.length === 0 ? (
          <p className="muted">No log lines yet.</p>
        ) : (
          <pre className="log" data-testid="job-log" tabIndex={0} role="region" aria-label="Job log">
            {logs.map((line) => (
              <div key={line.id} className={`lvl-${line.level}`}>
                <time>{line.createdAt.slice(11, 19)}</time>
                {line.message}
              </div>
            ))}
          </pre>
        )}
      </section>
      {job.result !== null && job.result !== undefined ? <JsonPanel title="Result" label="Job result" value={job.result} /> : null}
    </>
  );
}
