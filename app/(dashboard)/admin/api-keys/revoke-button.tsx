"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { postJson } from "@/components/api-client";
import { useHydrated } from "@/components/useHydrated";

export function RevokeButton({ id, name }: { id: string; name: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();
  const [error, setError] = useState<string | null>(null);

  async function revoke() {
    if (!window.confirm(`Revoke "${name}"? Clients using it stop working at once.`)) return;
    setPending(true);
    const result = await postJson(`/api/admin/api-keys/${id}/revoke`);
    setPending(false);
    if (result.ok) router.refresh();
    else setError(result.error.message);
  }

  return (
    <>
      <button type="button" className="danger small" onClick={revoke} disabled={pending || !hydrated}>
        Revoke
      </button>
      {error ? <span className="field-error"> {error}</span> : null}
    </>
  );
}
