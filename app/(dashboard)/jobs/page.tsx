import type { Metadata } from "next";
import { PageHeader } from "@/components/PageHeader";
import { LiveJobRow } from "@/components/jobs/LiveJobRow";
import { toJobView } from "@/components/jobs/view";
import { requirePageUser } from "@/lib/auth/current";
import { hasRole } from "@/lib/auth/roles";
import { db } from "@/lib/db/client";
import { SelftestLauncher } from "./selftest-launcher";

export const metadata: Metadata = { title: "Jobs" };

export default async function JobsPage() {
  const { user } = await requirePageUser();
  const canRun = hasRole(user.role, "editor");
  const runs = await db().jobRun.findMany({
    orderBy: { createdAt: "desc" },
    take: 100,
    include: { createdBy: { select: { email: true } } },
  });

  return (
    <>
      <PageHeader title="Jobs" description="Background work: dataset generation, training and distillation, self-tests. Progress updates live." />
      {canRun ? <SelftestLauncher /> : null}
      <section className="panel">
        <h2>Recent jobs</h2>
        {runs.length === 0 ? (
          <p className="empty">No jobs yet.</p>
        ) : (
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th>Job</th>
                  <th>Status</th>
                  <th>Progress</th>
                  <th>Created</th>
                  <th>By</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {runs.map((run) => (
                  <LiveJobRow key={run.id} initial={toJobView(run)} canCancel={canRun} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
