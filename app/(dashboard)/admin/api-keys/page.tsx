import type { Metadata } from "next";
import { DataTable } from "@/components/DataTable";
import { PageHeader } from "@/components/PageHeader";
import { StatusBadge } from "@/components/StatusBadge";
import { formatDateTime, formatRelative } from "@/components/format";
import { listApiKeys } from "@/lib/auth/api-keys";
import { requirePageRole } from "@/lib/auth/current";
import { CreateApiKeyForm } from "./create-api-key-form";
import { RevokeButton } from "./revoke-button";

export const metadata: Metadata = { title: "API keys" };

export default async function ApiKeysPage() {
  await requirePageRole("admin");
  const keys = await listApiKeys();
  return (
    <>
      <PageHeader
        title="API keys"
        description={
          <>
            Machine credentials for <code>/api/v1</code> (recommendations, events). Send as <code>Authorization: Bearer &lt;key&gt;</code> or{" "}
            <code>x-api-key</code>. Only a hash is stored: a key is shown once, when created.
          </>
        }
      />
      <section className="panel">
        <h2>Create a key</h2>
        <CreateApiKeyForm />
      </section>
      <section className="panel">
        <h2>Keys</h2>
        <DataTable
          empty={keys.length === 0 && "No API keys yet."}
          columns={["Name", "Prefix", "Scopes", "Created", "Last used", "Status", ""]}
          label="API keys table (scrolls sideways)"
        >
          {keys.map((key) => (
            <tr key={key.id}>
              <td>{key.name}</td>
              <td className="mono">us_{key.prefix}_…</td>
              <td>{key.scopes.join(", ")}</td>
              <td>
                {formatDateTime(key.createdAt)}
                <div className="muted">{key.createdBy.email}</div>
              </td>
              <td>{key.lastUsedAt ? formatRelative(key.lastUsedAt) : <span className="muted">never</span>}</td>
              <td>{key.revokedAt ? <StatusBadge status="revoked" /> : <StatusBadge status="ok" label="active" />}</td>
              <td>{key.revokedAt ? null : <RevokeButton id={key.id} name={key.name} />}</td>
            </tr>
          ))}
        </DataTable>
      </section>
    </>
  );
}
