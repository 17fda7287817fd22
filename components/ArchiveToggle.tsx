"use client";
// Archives a record (PATCH { archived: true }) or restores it; the server's refusal shows under the button.
import { callApi } from "@/components/api-client";
import { useApiAction } from "@/components/useApiAction";

export function ArchiveToggle({ url, archived, name, small = false }: { url: string; archived: boolean; name?: string; small?: boolean }) {
  const { run, pending, error } = useApiAction();
  const verb = archived ? "Restore" : "Archive";
  return (
    <span>
      <button
        type="button"
        className={small ? "secondary small" : "secondary"}
        disabled={pending}
        aria-label={name ? `${verb} ${name}` : undefined}
        onClick={() => run(() => callApi(url, "PATCH", { archived: !archived }))}
      >
        {verb}
      </button>
      {error ? (
        <span className="field-error" role="alert" style={{ display: "block", marginTop: 6 }}>
          {error}
        </span>
      ) : null}
    </span>
  );
}
