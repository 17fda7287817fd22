import type { Metadata } from "next";
import { PageHeader } from "@/components/PageHeader";
import { requirePageUser } from "@/lib/auth/current";
import { ChangePasswordForm } from "./change-password-form";
import { Facts } from "@/components/Facts";

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
          <Facts
            items={[
              ["Email", user.email],
              ["Name", user.name ?? "—"],
              ["Role", user.role],
              ["Session", `expires ${expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC unless used again`],
            ]}
          />
        </section>
      </div>
    </>
  );
}
