"use client";

import { ProgressBar } from "@/components/ProgressBar";
import { StatusBadge } from "@/components/StatusBadge";
import { formatDateTime, formatDuration } from "@/components/format";
import { CancelJobButton } from "./CancelJobButton";
import { useJobPolling } from "./useJobPolling";
import { isTerminal, type JobLogView, type JobView } from "@/lib/jobs/view";
import { ErrorAlert } from "@/components/ErrorAlert";

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
        <dl className="facts">
          <dt>Queue</dt>
          <dd>{job.queue}</dd>
          <dt>Attempts</dt>
          <dd>{job.attempts}</dd>
          <dt>Created</dt>
          <dd>
            {formatDateTime(job.createdAt)}
            {job.createdBy ? ` by ${job.createdBy}` : ""}
          </dd>
          <dt>Started</dt>
          <dd>{formatDateTime(job.startedAt)}</dd>
          <dt>Finished</dt>
          <dd>{formatDateTime(job.finishedAt)}</dd>
          <dt>Duration</dt>
          <dd>{job.startedAt ? formatDuration(job.startedAt, job.finishedAt) : "—"}</dd>
        </dl>
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
      {job.result !== null && job.result !== undefined ? (
        <section className="panel">
          <h2>Result</h2>
          <pre className="log" tabIndex={0} role="region" aria-label="Job result">
            {JSON.stringify(job.result, null, 2)}
          </pre>
        </section>
      ) : null}
    </>
  );
}
