"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { postJson } from "@/components/api-client";
import { ErrorAlert } from "@/components/ErrorAlert";

/**
 * Approve or reject the production cutover. `blockedReason` disables the buttons with an explanation
 * (the creator, or a role below approver); the server enforces the same rules.
 */
export function ApprovalPanel({ experimentId, blockedReason, candidateName }: { experimentId: string; blockedReason: string | null; candidateName: string }) {
  const router = useRouter();
  const [comment, setComment] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState<"approve" | "reject" | null>(null);

  async function decide(action: "approve" | "reject") {
    setPending(action);
    setError(null);
    const result = await postJson(`/api/experiments/${experimentId}/${action}`, { comment });
    setPending(null);
    if (result.ok) router.refresh();
    else setError(result.error.fieldErrors.comment ?? result.error.message);
  }

  return (
    <div data-testid="approval-panel">
      <p>
        Approving switches the production slot to <strong>{candidateName}</strong> for all traffic, in one transaction with this approval. Rejecting rolls the
        candidate back to 0%.
      </p>
      {blockedReason ? (
        <div className="alert info" data-testid="approval-blocked">
          {blockedReason}
        </div>
      ) : null}
      <label htmlFor="approval-comment" className="muted">
        Comment (required to reject)
      </label>
      <textarea
        id="approval-comment"
        rows={2}
        style={{ width: "100%", maxWidth: 560, display: "block" }}
        value={comment}
        onChange={(e) => setComment(e.target.value)}
        disabled={Boolean(blockedReason)}
      />
      <ErrorAlert error={error} style={{ marginTop: 8 }} />
      <div style={{ display: "flex", gap: 8, marginTop: 10 }}>
        <button type="button" onClick={() => decide("approve")} disabled={Boolean(blockedReason) || pending !== null} data-testid="approve">
          {pending === "approve" ? "Approving…" : "Approve cutover"}
        </button>
        <button type="button" className="danger" onClick={() => decide("reject")} disabled={Boolean(blockedReason) || pending !== null} data-testid="reject">
          {pending === "reject" ? "Rejecting…" : "Reject"}
        </button>
      </div>
    </div>
  );
}
