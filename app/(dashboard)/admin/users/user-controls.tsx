"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { callApi } from "@/components/api-client";
import { ROLES, type Role } from "@/lib/auth/roles";
import { useHydrated } from "@/components/useHydrated";
import { Select } from "@/components/Select";

export function UserControls({ userId, email, role, disabled, isSelf }: { userId: string; email: string; role: Role; disabled: boolean; isSelf: boolean }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();
  const [error, setError] = useState<string | null>(null);

  async function update(change: { role?: Role; disabled?: boolean }) {
    setPending(true);
    setError(null);
    const result = await callApi(`/api/admin/users/${userId}`, "PATCH", change);
    setPending(false);
    if (result.ok) router.refresh();
    else setError(result.error.message);
  }

  return (
    <div style={{ display: "flex", gap: 8, alignItems: "center", flexWrap: "wrap" }}>
      <Select
        aria-label={`Role of ${email}`}
        value={role}
        disabled={pending || !hydrated}
        onChange={(e) => update({ role: e.target.value as Role })}
        options={ROLES}
      />
      {isSelf ? null : disabled ? (
        <button type="button" className="secondary small" disabled={pending || !hydrated} onClick={() => update({ disabled: false })}>
          Enable
        </button>
      ) : (
        <button type="button" className="danger small" disabled={pending || !hydrated} onClick={() => update({ disabled: true })}>
          Disable
        </button>
      )}
      {error ? <span className="field-error">{error}</span> : null}
    </div>
  );
}
