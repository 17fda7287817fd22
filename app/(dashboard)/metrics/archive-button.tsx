"use client";
// Archive a metric (no longer offered to new experiments; kept where it is used) or restore it.
import { useState } from "react";
import { useRouter } from "next/navigation";
import { callApi } from "@/components/api-client";

export function MetricArchiveButton({ metricId, archived, name }: { metricId: string; archived: boolean; name: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <span>
      <button
        type="button"
        className="secondary small"
        disabled={pending}
        aria-label={`${archived ? "Restore" : "Archive"} ${name}`}
        onClick={async () => {
          setPending(true);
          setError(null);
          const res = await callApi(`/api/metrics/${metricId}`, "PATCH", { archived: !archived });
          setPending(false);
          if (!res.ok) setError(res.error.message);
          else router.refresh();
        }}
      >
        {archived ? "Restore" : "Archive"}
      </button>
      {error ? (
        <span className="field-error" role="alert" style={{ display: "block", marginTop: 6 }}>
          {error}
        </span>
      ) : null}
    </span>
  );
}
