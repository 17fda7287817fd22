"use client";

import { useState } from "react";
import { postJson } from "@/components/api-client";
import type { JobView } from "@/lib/jobs/view";
import { useHydrated } from "@/components/useHydrated";

export function CancelJobButton({ jobId, onCancelled, small }: { jobId: string; onCancelled: (job: JobView) => void; small?: boolean }) {
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();
  const [error, setError] = useState<string | null>(null);

  async function cancel() {
    setPending(true);
    setError(null);
    const result = await postJson<{ job: JobView }>(`/api/jobs/${jobId}/cancel`);
    setPending(false);
    if (result.ok) onCancelled(result.data.job);
    else setError(result.error.message);
  }

  return (
    <span>
      <button type="button" className={`danger${small ? " small" : ""}`} onClick={cancel} disabled={pending || !hydrated}>
        {pending ? "Cancelling…" : "Cancel"}
      </button>
      {error ? <span className="field-error"> {error}</span> : null}
    </span>
  );
}
