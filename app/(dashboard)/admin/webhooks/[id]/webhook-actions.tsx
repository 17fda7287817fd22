"use client";

// Send a test event, rotate the secret (shown once), delete.
import { useState } from "react";
import { useRouter } from "next/navigation";
import { callApi, postJson } from "@/components/api-client";
import { useHydrated } from "@/components/useHydrated";

export function WebhookActions({ id, name, enabled }: { id: string; name: string; enabled: boolean }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [pending, setPending] = useState<string | null>(null);
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const [secret, setSecret] = useState<string | null>(null);

  async function run(what: string, call: () => Promise<void>) {
    setPending(what);
    setMessage(null);
    await call();
    setPending(null);
  }

  const sendTest = () =>
    run("test", async () => {
      const r = await postJson<{ eventId: string }>(`/api/admin/webhooks/${id}/test`);
      if (r.ok) {
        setMessage({ kind: "success", text: `Test event ${r.data.eventId} queued: its attempts appear in the delivery log below.` });
        router.refresh();
      } else setMessage({ kind: "error", text: r.error.message });
    });

  const rotate = () =>
    run("rotate", async () => {
      if (!window.confirm(`Rotate the secret of "${name}"? Deliveries are signed with the new one from now on; update the receiver.`)) return;
      const r = await postJson<{ secret: string }>(`/api/admin/webhooks/${id}/rotate-secret`);
      if (r.ok) {
        setSecret(r.data.secret);
        router.refresh();
      } else setMessage({ kind: "error", text: r.error.message });
    });

  const remove = () =>
    run("delete", async () => {
      if (!window.confirm(`Delete "${name}" and its delivery log?`)) return;
      const r = await callApi(`/api/admin/webhooks/${id}`, "DELETE");
      if (r.ok) router.push("/admin/webhooks");
      else setMessage({ kind: "error", text: r.error.message });
    });

  return (
    <>
      {secret ? (
        <div className="alert success" role="status" style={{ marginBottom: 14 }}>
          <p style={{ marginTop: 0 }}>New signing secret. Copy it now: it will not be shown again.</p>
          <div className="secret" data-testid="rotated-webhook-secret">
            {secret}
          </div>
        </div>
      ) : null}
      {message ? (
        <div className={`alert ${message.kind}`} role={message.kind === "error" ? "alert" : "status"} style={{ marginBottom: 14 }}>
          {message.text}
        </div>
      ) : null}
      <div style={{ display: "flex", gap: 10, flexWrap: "wrap" }}>
        <button type="button" onClick={sendTest} disabled={!hydrated || pending !== null || !enabled} title={enabled ? undefined : "enable the webhook first"}>
          {pending === "test" ? "Queueing…" : "Send test event"}
        </button>
        <button type="button" className="secondary" onClick={rotate} disabled={!hydrated || pending !== null}>
          Rotate secret
        </button>
        <button type="button" className="danger" onClick={remove} disabled={!hydrated || pending !== null}>
          Delete
        </button>
      </div>
    </>
  );
}
