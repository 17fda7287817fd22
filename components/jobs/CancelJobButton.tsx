"use client";

import { postJson } from "@/components/api-client";
import type { JobView } from "@/lib/jobs/view";
import { useApiAction } from "@/components/useApiAction";

export function CancelJobButton({ jobId, onCancelled, small }: { jobId: string; onCancelled: (job: JobView) => void; small?: boolean }) {
  const { run, pending, hydrated, error } = useApiAction();
  const cancel = () =>
    run(
      () => postJson<{ job: JobView }>(`/api/jobs/${jobId}/cancel`),
      (data) => onCancelled(data.job),
    );

  return (
    <span>
      <button type="button" className={`danger${small ? " small" : ""}`} onClick={cancel} disabled={pending || !hydrated}>
        {pending ? "Cancelling…" : "Cancel"}
      </button>
      {error ? <span className="field-error"> {error}</span> : null}
    </span>
  );
}
