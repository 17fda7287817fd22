import type { Metadata } from "next";
import { DataTable } from "@/components/DataTable";
import { PageHeader } from "@/components/PageHeader";
import { StatusBadge } from "@/components/StatusBadge";
import { formatDateTime } from "@/components/format";
import { requirePageRole } from "@/lib/auth/current";
import { ROLE_DESCRIPTIONS, ROLES } from "@/lib/auth/roles";
import { listUsers } from "@/lib/auth/users";
import { CreateUserForm } from "./create-user-form";
import { UserControls } from "./user-controls";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const { user: me } = await requirePageRole("admin");
  const users = await listUsers();
  return (
    <>
      <PageHeader title="Users" description="Who can sign in, and what their role allows." />
      <section className="panel">
        <DataTable columns={["Email", "Name", "Role", "Status", "Created", "Change"]} label="Users table (scrolls sideways)">
          {users.map((u) => (
            <tr key={u.id} data-testid={`user-row-${u.email}`}>
              <td>{u.email}</td>
              <td>{u.name ?? <span className="muted">—</span>}</td>
              <td>{u.role}</td>
              <td>{u.disabledAt ? <StatusBadge status="disabled" /> : <StatusBadge status="ok" label="active" />}</td>
              <td>{formatDateTime(u.createdAt)}</td>
              <td>
                <UserControls userId={u.id} email={u.email} role={u.role} disabled={Boolean(u.disabledAt)} isSelf={u.id === me.id} />
              </td>
            </tr>
          ))}
        </DataTable>
      </section>
      <div className="grid cols-2">
        <section className="panel">
          <h2>Add a user</h2>
          <CreateUserForm />
        </section>
        <section className="panel">
          <h2>Roles</h2>
          <dl className="facts">
            {ROLES.map((role) => (
              <div key={role} style={{ display: "contents" }}>
                <dt>{role}</dt>
                <dd>{ROLE_DESCRIPTIONS[role]}</dd>
              </div>
            ))}
          </dl>
        </section>
      </div>
    </>
  );
}
