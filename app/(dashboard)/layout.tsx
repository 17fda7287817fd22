import Link from "next/link";
import type { ReactNode } from "react";
import { NavLinks, type NavItem } from "@/components/NavLinks";
import { SignOutButton } from "@/components/SignOutButton";
import { requirePageUser } from "@/lib/auth/current";
import { hasRole } from "@/lib/auth/roles";
import { ChangePasswordForm } from "./account/change-password-form";

const NAV: NavItem[] = [
  { href: "/", label: "Overview" },
  { href: "/datasets", label: "Datasets" },
  { href: "/models", label: "Models" },
  { href: "/jobs", label: "Jobs" },
  { href: "/experiments", label: "Experiments" },
  { href: "/metrics", label: "Metrics" },
  { href: "/audit", label: "Audit log" },
  { href: "/api-docs", label: "API" },
];

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const { user, mustChangePassword } = await requirePageUser({ allowPendingPasswordChange: true });
  const items = hasRole(user.role, "admin") ? [...NAV, { href: "/admin", label: "Admin" }] : NAV;
  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="brand">
          Understudy
          <small>teacher → student, safely</small>
        </div>
        <NavLinks items={items} />
        <div className="sidebar-footer">
          <div className="who" data-testid="current-user">
            {user.email}
          </div>
          <div className="muted">
            role: <span data-testid="current-role">{user.role}</span>
          </div>
          <div style={{ marginTop: 8, display: "flex", gap: 12 }}>
            <Link href="/account">Account</Link>
            <SignOutButton />
          </div>
        </div>
      </aside>
      <main className="main">
        {mustChangePassword ? (
          <section className="panel" data-testid="password-change-required">
            <h2>Set a new password</h2>
            <p className="muted">Your password was generated at the first start. Choose your own before using Understudy.</p>
            <ChangePasswordForm />
          </section>
        ) : (
          children
        )}
      </main>
    </div>
  );
}
