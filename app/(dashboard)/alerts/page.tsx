import type { Metadata } from "next";
import Link from "next/link";
import { AlertList } from "@/components/alerts/AlertList";
import { PageHeader } from "@/components/PageHeader";
import { requirePageUser } from "@/lib/auth/current";
import { hasRole } from "@/lib/auth/roles";
import { listAlerts } from "@/lib/db/alerts";
import { alertView } from "../overview-alerts";

export const metadata: Metadata = { title: "Alerts" };
export const dynamic = "force-dynamic";

export default async function AlertsPage({ searchParams }: { searchParams: Promise<{ open?: string }> }) {
  const { user } = await requirePageUser();
  const openOnly = (await searchParams).open === "1";
  const alerts = await listAlerts({ unacknowledgedOnly: openOnly, limit: 200 });
  return (
    <>
      <PageHeader
        title="Alerts"
        description={
          <>
            The latest 200 alerts, newest first.{" "}
            {openOnly ? <Link href="/alerts">Show acknowledged too</Link> : <Link href="/alerts?open=1">Show open only</Link>}
            {hasRole(user.role, "admin") ? (
              <>
                {" "}
                · send them elsewhere with <Link href="/admin/webhooks">webhooks</Link>
              </>
            ) : null}
          </>
        }
      />
      <section className="panel">
        {alerts.length === 0 ? <p className="empty">No alerts.</p> : <AlertList alerts={alerts.map(alertView)} canAcknowledge={hasRole(user.role, "editor")} />}
      </section>
    </>
  );
}
