"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { postJson } from "@/components/api-client";
import { useHydrated } from "@/components/useHydrated";

export function AcknowledgeButton({ id }: { id: string }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function acknowledge() {
    setPending(true);
    const result = await postJson(`/api/alerts/${id}/acknowledge`);
    setPending(false);
    if (result.ok) router.refresh();
    else setError(result.error.message);
  }

  return (
    <div>
      <button type="button" className="secondary small" onClick={acknowledge} disabled={pending || !hydrated}>
        {pending ? "…" : "Acknowledge"}
      </button>
      {error ? <div className="field-error">{error}</div> : null}
    </div>
  );
}
