"use client";
// Starts the compare-models job and follows it; the page reloads from the database when it finishes.
import { useEffect } from "react";
import { useRouter } from "next/navigation";
import { postJson } from "@/components/api-client";
import { ProgressBar } from "@/components/ProgressBar";
import { StatusBadge } from "@/components/StatusBadge";
import { useJobPolling } from "@/components/jobs/useJobPolling";
import { isTerminal, type JobView } from "@/lib/jobs/view";
import { useApiAction } from "@/components/useApiAction";
import { ErrorAlert } from "@/components/ErrorAlert";

export function ComparisonJob({ initial }: { initial: JobView }) {
  const router = useRouter();
  const { job } = useJobPolling(initial);
  const done = isTerminal(job.status);
  useEffect(() => {
    if (done) router.refresh();
  }, [done, router]);
  return (
    <div data-testid="comparison-job" aria-live="polite">
      <div style={{ display: "flex", gap: 12, alignItems: "center", flexWrap: "wrap" }}>
        <StatusBadge status={job.status} />
        <div style={{ flex: 1, minWidth: 200 }}>
          <ProgressBar percent={job.progress} status={job.status} label="Comparison progress" />
        </div>
        <a href={`/jobs/${job.id}`}>Job details</a>
      </div>
      <p className="muted">{job.message || "waiting for a worker"}</p>
      <ErrorAlert error={job.error} />
    </div>
  );
}

export function RunComparisonButton({
  teacherId,
  modelIds,
  split,
  label = "Run comparison",
}: {
  teacherId: string;
  modelIds: string[];
  split: string;
  label?: string;
}) {
  const { run, pending, error } = useApiAction();
  return (
    <div>
      <button
        type="button"
        disabled={pending}
        onClick={() =>
          run(
            () => postJson<{ job: JobView }>("/api/comparisons", { teacherId, modelIds, split }),
            undefined,
            (e) => Object.values(e.fieldErrors)[0] ?? e.message,
          )
        }
      >
        {pending ? "Queueing…" : label}
      </button>
      <ErrorAlert error={error} style={{ marginTop: 8 }} />
    </div>
  );
}
