"use client";

import Link from "next/link";
import { ProgressBar } from "@/components/ProgressBar";
import { StatusBadge } from "@/components/StatusBadge";
import { formatDateTime } from "@/components/format";
import { CancelJobButton } from "./CancelJobButton";
import { useJobPolling } from "./useJobPolling";
import { isTerminal, type JobView } from "@/lib/jobs/view";
import { QUEUE_TITLES, describeJobInput } from "./view";

/** One row of the jobs table; rows of unfinished jobs keep themselves up to date. */
export function LiveJobRow({ initial, canCancel }: { initial: JobView; canCancel: boolean }) {
  const { job, setJob } = useJobPolling(initial);
  return (
    <tr data-testid={`job-row-${job.id}`}>
      <td>
        <Link href={`/jobs/${job.id}`}>{QUEUE_TITLES[job.queue] ?? job.queue}</Link>
        <div className="muted" style={{ fontSize: 12.5 }}>
          {describeJobInput(job.queue, job.input)}
        </div>
      </td>
      <td>
        <StatusBadge status={job.status} />
      </td>
      <td style={{ minWidth: 200 }}>
        <ProgressBar percent={job.progress} status={job.status} />
        <div className="muted" style={{ fontSize: 12.5, marginTop: 2 }}>
          {job.error ?? job.message}
        </div>
      </td>
      <td>{formatDateTime(job.createdAt)}</td>
      <td>{job.createdBy ?? <span className="muted">system</span>}</td>
      <td>{canCancel && !isTerminal(job.status) ? <CancelJobButton jobId={job.id} onCancelled={setJob} small /> : null}</td>
    </tr>
  );
}
