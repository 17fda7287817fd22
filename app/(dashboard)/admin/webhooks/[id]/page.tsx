import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DataTable } from "@/components/DataTable";
import { PageHeader } from "@/components/PageHeader";
import { StatusBadge } from "@/components/StatusBadge";
import { formatDateTime } from "@/components/format";
import { requirePageRole } from "@/lib/auth/current";
import { findWebhook, listDeliveries } from "@/lib/db/webhooks";
import { WebhookForm } from "../webhook-form";
import { DELIVERY_BADGE } from "../delivery-status";
import { WebhookActions } from "./webhook-actions";
import { AutoRefresh } from "./auto-refresh";

export const metadata: Metadata = { title: "Webhook" };
export const dynamic = "force-dynamic";

function until(at: Date): string {
  const s = Math.max(0, Math.round((at.getTime() - Date.now()) / 1000));
  return s < 60 ? `in ${s} s` : s < 3600 ? `in ${Math.round(s / 60)} min` : `in ${(s / 3600).toFixed(1)} h`;
}

export default async function WebhookPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageRole("admin");
  const { id } = await params;
  const webhook = await findWebhook(id);
  if (!webhook) notFound();
  const deliveries = await listDeliveries(id, { limit: 50 });
  const inFlight = deliveries.some((d) => d.status === "pending" || d.status === "retrying");
  return (
    <>
      <AutoRefresh active={inFlight} />
      <PageHeader
        title={webhook.name}
        breadcrumb={
          <>
            <Link href="/admin/webhooks">Webhooks</Link> / {webhook.name}
          </>
        }
        description={
          <>
            <span className="mono" style={{ wordBreak: "break-all" }}>
              {webhook.url}
            </span>{" "}
            · secret <span className="mono">{webhook.secretHint}</span> ·{" "}
            {webhook.enabled ? <StatusBadge status="ok" label="enabled" /> : <StatusBadge status="disabled" />}
          </>
        }
      />
      <section className="panel">
        <WebhookActions id={webhook.id} name={webhook.name} enabled={webhook.enabled} />
      </section>
      <section className="panel">
        <h2>Delivery log</h2>
        <DataTable
          empty={deliveries.length === 0 && "Nothing sent yet. Send a test event to check the receiver."}
          columns={["Event", "Status", { label: "Attempts", title: "time, HTTP status code, duration, error" }, "Next retry"]}
          label="Delivery log (scrolls sideways)"
          testId="delivery-log"
        >
          {deliveries.map((d) => (
            <tr key={d.id}>
              <td>
                <div>{d.eventType}</div>
                <div className="mono muted" title="X-Understudy-Event-Id">
                  {d.eventId}
                </div>
                <div className="muted">{formatDateTime(d.createdAt)}</div>
              </td>
              <td>
                <StatusBadge status={DELIVERY_BADGE[d.status]} label={d.status} />
                {d.status === "skipped" && d.lastError ? <div className="muted">{d.lastError}</div> : null}
              </td>
              <td>
                {d.attemptLog.length === 0 ? (
                  <span className="muted">{d.status === "failed" && d.lastError ? d.lastError : "not attempted yet"}</span>
                ) : (
                  <ol style={{ margin: 0, paddingLeft: 18 }}>
                    {d.attemptLog.map((a) => (
                      <li key={a.id}>
                        <span className="muted">{formatDateTime(a.startedAt).slice(11)}</span>{" "}
                        <strong style={a.statusCode !== null && a.statusCode < 300 ? undefined : { color: "var(--err)" }}>{a.statusCode ?? "no answer"}</strong>{" "}
                        · {a.durationMs} ms
                        {a.error && a.error !== `HTTP ${a.statusCode}` ? <span style={{ color: "var(--err)" }}> · {a.error}</span> : null}
                      </li>
                    ))}
                  </ol>
                )}
              </td>
              <td>{d.nextRetryAt ? <span title={formatDateTime(d.nextRetryAt)}>{until(d.nextRetryAt)}</span> : <span className="muted">—</span>}</td>
            </tr>
          ))}
        </DataTable>
      </section>
      <section className="panel">
        <h2>Settings</h2>
        <WebhookForm existing={{ id: webhook.id, name: webhook.name, url: webhook.url, events: webhook.events, enabled: webhook.enabled }} />
      </section>
    </>
  );
}
