"use client";
// Archive (hide from the registry, never served) or restore a model; the server refuses while it is in use.
import { useState } from "react";
import { useRouter } from "next/navigation";
import { callApi } from "@/components/api-client";

export function ArchiveButton({ modelId, archived }: { modelId: string; archived: boolean }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <span>
      <button
        type="button"
        className="secondary"
        disabled={pending}
        onClick={async () => {
          setPending(true);
          setError(null);
          const res = await callApi(`/api/models/${modelId}`, "PATCH", { archived: !archived });
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
