"use client";
// Starts the compare-models job and follows it; the page reloads from the database when it finishes.
import { useEffect, useState } from "react";
import { useRouter } from "next/navigation";
import { postJson } from "@/components/api-client";
import { ProgressBar } from "@/components/ProgressBar";
import { StatusBadge } from "@/components/StatusBadge";
import { useJobPolling } from "@/components/jobs/useJobPolling";
import { isTerminal, type JobView } from "@/lib/jobs/view";

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
      {job.error ? (
        <div className="alert error" role="alert">
          {job.error}
        </div>
      ) : null}
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
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <div>
      <button
        type="button"
        disabled={pending}
        onClick={async () => {
          setPending(true);
          setError(null);
          const res = await postJson<{ job: JobView }>("/api/comparisons", { teacherId, modelIds, split });
          setPending(false);
          if (!res.ok) setError(Object.values(res.error.fieldErrors)[0] ?? res.error.message);
          else router.refresh();
        }}
      >
        {pending ? "Queueing…" : label}
      </button>
      {error ? (
        <div className="alert error" role="alert" style={{ marginTop: 8 }}>
          {error}
        </div>
      ) : null}
    </div>
  );
}
