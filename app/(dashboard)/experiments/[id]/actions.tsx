"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { postJson } from "@/components/api-client";

type Action = "start" | "pause" | "resume" | "rollback" | "cancel";

const LABELS: Record<Action, { button: string; confirm: string; danger?: boolean }> = {
  start: { button: "Start", confirm: "Start the experiment at its first stage" },
  pause: { button: "Pause", confirm: "Pause: everyone is served the production model until resumed" },
  resume: { button: "Resume", confirm: "Resume: the current stage restarts its clock and analysis window" },
  rollback: { button: "Roll back", confirm: "Roll back to 0%: the candidate stops receiving traffic for good", danger: true },
  cancel: { button: "Cancel draft", confirm: "Cancel this draft", danger: true },
};

/** Start / pause / resume / roll back / cancel, each asking for the reason recorded in the audit log. */
export function ExperimentActions({ experimentId, actions }: { experimentId: string; actions: Action[] }) {
  const router = useRouter();
  const [chosen, setChosen] = useState<Action | null>(null);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  if (actions.length === 0) return null;

  async function submit() {
    if (!chosen) return;
    setPending(true);
    setError(null);
    const result = await postJson(`/api/experiments/${experimentId}/${chosen}`, { reason });
    setPending(false);
    if (result.ok) {
      setChosen(null);
      setReason("");
      router.refresh();
    } else {
      setError(result.error.fieldErrors.reason ?? result.error.message);
    }
  }

  return (
    <div className="stack" style={{ display: "flex", flexDirection: "column", gap: 8, alignItems: "flex-end" }}>
      <div style={{ display: "flex", gap: 8 }}>
        {actions.map((a) => (
          <button key={a} type="button" className={LABELS[a].danger ? "danger" : "secondary"} onClick={() => setChosen(a)} data-testid={`action-${a}`}>
            {LABELS[a].button}
          </button>
        ))}
      </div>
      {chosen ? (
        <div className="panel" style={{ margin: 0, minWidth: 360 }} data-testid="action-confirm">
          <div style={{ marginBottom: 8 }}>{LABELS[chosen].confirm}.</div>
          <label htmlFor="action-reason" className="muted">
            Reason {chosen === "start" ? "(optional)" : "(required, audited)"}
          </label>
          <textarea
            id="action-reason"
            rows={2}
            style={{ width: "100%" }}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            aria-invalid={Boolean(error)}
          />
          {error ? (
            <div className="field-error" role="alert" style={{ color: "var(--err)" }}>
              {error}
            </div>
          ) : null}
          <div style={{ display: "flex", gap: 8, marginTop: 8 }}>
            <button type="button" onClick={submit} disabled={pending} className={LABELS[chosen].danger ? "danger" : undefined} data-testid="action-submit">
              {pending ? "Working…" : LABELS[chosen].button}
            </button>
            <button type="button" className="secondary" onClick={() => setChosen(null)}>
              Back
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
