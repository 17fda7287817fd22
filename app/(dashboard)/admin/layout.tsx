import Link from "next/link";
import type { ReactNode } from "react";
import { requirePageRole } from "@/lib/auth/current";

export default async function AdminLayout({ children }: { children: ReactNode }) {
  await requirePageRole("admin");
  return (
    <>
      <nav aria-label="Admin" style={{ display: "flex", gap: 16, marginBottom: 16 }}>
        <Link href="/admin/users">Users</Link>
        <Link href="/admin/api-keys">API keys</Link>
        <Link href="/admin/webhooks">Webhooks</Link>
      </nav>
      {children}
    </>
  );
}
