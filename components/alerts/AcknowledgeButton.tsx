"use client";

import { postJson } from "@/components/api-client";
import { useApiAction } from "@/components/useApiAction";

export function AcknowledgeButton({ id }: { id: string }) {
  const { run, pending, hydrated, error } = useApiAction();
  const acknowledge = () => run(() => postJson(`/api/alerts/${id}/acknowledge`));

  return (
    <div>
      <button type="button" className="secondary small" onClick={acknowledge} disabled={pending || !hydrated}>
        {pending ? "…" : "Acknowledge"}
      </button>
      {error ? <div className="field-error">{error}</div> : null}
    </div>
  );
}
