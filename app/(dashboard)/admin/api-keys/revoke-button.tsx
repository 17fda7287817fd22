"use client";

import { postJson } from "@/components/api-client";
import { useApiAction } from "@/components/useApiAction";

export function RevokeButton({ id, name }: { id: string; name: string }) {
  const { run, pending, hydrated, error } = useApiAction();

  async function revoke() {
    if (!window.confirm(`Revoke "${name}"? Clients using it stop working at once.`)) return;
    await run(() => postJson(`/api/admin/api-keys/${id}/revoke`));
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
