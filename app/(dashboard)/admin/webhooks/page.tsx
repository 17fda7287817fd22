import type { Metadata } from "next";
import { DataTable, LinkCell } from "@/components/DataTable";
import { PageHeader } from "@/components/PageHeader";
import { StatusBadge } from "@/components/StatusBadge";
import { formatRelative } from "@/components/format";
import { requirePageRole } from "@/lib/auth/current";
import { listWebhooks } from "@/lib/db/webhooks";
import { WebhookForm } from "./webhook-form";
import { DELIVERY_BADGE } from "./delivery-status";

export const metadata: Metadata = { title: "Webhooks" };
export const dynamic = "force-dynamic";

export default async function WebhooksPage() {
  await requirePageRole("admin");
  const webhooks = await listWebhooks();
  return (
    <>
      <PageHeader
        title="Webhooks"
        description={
          <>
            Alerts (drift, gate results, candidates, guardrail breaches, rollbacks) sent as a JSON <code>POST</code> signed with HMAC-SHA256:{" "}
            <code>X-Understudy-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC of &quot;t.body&quot;&gt;</code>, with the event id in{" "}
            <code>X-Understudy-Event-Id</code> (the same on every retry). Failed deliveries are retried with exponential backoff.
          </>
        }
      />
      <section className="panel">
        <h2>Add a webhook</h2>
        <WebhookForm />
      </section>
      <section className="panel">
        <h2>Webhooks</h2>
        <DataTable
          empty={webhooks.length === 0 && "No webhooks yet: alerts show on the Overview only."}
          columns={["Name", "URL", "Events", "Secret", "Status", "Last delivery"]}
          label="Webhooks table (scrolls sideways)"
        >
          {webhooks.map((w) => (
            <tr key={w.id}>
              <LinkCell href={`/admin/webhooks/${w.id}`}>{w.name}</LinkCell>
              <td className="mono" style={{ overflowWrap: "anywhere", minWidth: 200 }}>
                {w.url}
              </td>
              <td>{w.events.length}</td>
              <td className="mono">{w.secretHint}</td>
              <td>{w.enabled ? <StatusBadge status="ok" label="enabled" /> : <StatusBadge status="disabled" />}</td>
              <td>
                {w.lastDelivery ? (
                  <>
                    <StatusBadge status={DELIVERY_BADGE[w.lastDelivery.status]} label={w.lastDelivery.status} />{" "}
                    <span className="muted">{formatRelative(w.lastDelivery.createdAt)}</span>
                  </>
                ) : (
                  <span className="muted">none yet</span>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      </section>
    </>
  );
}
