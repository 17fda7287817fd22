import { DataTable } from "@/components/DataTable";
import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/PageHeader";
import { LiveJobRow } from "@/components/jobs/LiveJobRow";
import { toJobView } from "@/lib/jobs/view";
import { requirePageUser } from "@/lib/auth/current";
import { hasRole } from "@/lib/auth/roles";
import { recentJobRuns } from "@/lib/db/jobs";
import { SelftestLauncher } from "./selftest-launcher";

export const metadata: Metadata = { title: "Jobs" };

const STATUS_FILTERS = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
type StatusFilter = (typeof STATUS_FILTERS)[number];

export default async function JobsPage({ searchParams }: { searchParams: Promise<{ status?: string | string[] }> }) {
  const { user } = await requirePageUser();
  const canRun = hasRole(user.role, "editor");
  const { status } = await searchParams;
  const statusFilter = STATUS_FILTERS.find((s) => s === status) as StatusFilter | undefined;
  const runs = await recentJobRuns({ status: statusFilter, take: 100 });

  return (
    <>
      <PageHeader title="Jobs" description="Background work: dataset generation, training and distillation, self-tests. Progress updates live." />
      {canRun ? <SelftestLauncher /> : null}
      <section className="panel">
        <h2>Recent jobs</h2>
        <nav aria-label="Filter by status" className="filters" style={{ gap: 14 }}>
          <Link href="/jobs" aria-current={statusFilter ? undefined : "page"} style={{ fontWeight: statusFilter ? 400 : 600 }}>
            all
          </Link>
          {STATUS_FILTERS.map((s) => (
            <Link
              key={s}
              href={`/jobs?status=${s}`}
              aria-current={statusFilter === s ? "page" : undefined}
              style={{ fontWeight: statusFilter === s ? 600 : 400 }}
            >
              {s}
            </Link>
          ))}
        </nav>
        <DataTable
          empty={runs.length === 0 && <>{statusFilter ? `No ${statusFilter} jobs.` : "No jobs yet."}</>}
          columns={["Job", "Status", "Progress", "Created", "By", ""]}
          wrap="plain"
        >
          {runs.map((run) => (
            <LiveJobRow key={run.id} initial={toJobView(run)} canCancel={canRun} />
          ))}
        </DataTable>
      </section>
    </>
  );
}
