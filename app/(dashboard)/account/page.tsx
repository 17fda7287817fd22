import type { Metadata } from "next";
import { PageHeader } from "@/components/PageHeader";
import { requirePageUser } from "@/lib/auth/current";
import { ChangePasswordForm } from "./change-password-form";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage() {
  const { user, expiresAt } = await requirePageUser({ allowPendingPasswordChange: true });
  return (
    <>
      <PageHeader title="Account" description={user.email} />
      <div className="grid cols-2">
        <section className="panel">
          <h2>Change password</h2>
          <ChangePasswordForm />
        </section>
        <section className="panel">
          <h2>You</h2>
          <dl className="facts">
            <dt>Email</dt>
            <dd>{user.email}</dd>
            <dt>Name</dt>
            <dd>{user.name ?? "—"}</dd>
            <dt>Role</dt>
            <dd>{user.role}</dd>
            <dt>Session</dt>
            <dd>expires {expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC unless used again</dd>
          </dl>
        </section>
      </div>
    </>
  );
}
