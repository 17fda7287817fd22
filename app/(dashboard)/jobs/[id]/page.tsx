import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/PageHeader";
import { LiveJobPanel } from "@/components/jobs/LiveJobPanel";
import { toJobLogView, toJobView } from "@/lib/jobs/view";
import { QUEUE_TITLES, describeJobInput } from "@/components/jobs/view";
import { requirePageUser } from "@/lib/auth/current";
import { hasRole } from "@/lib/auth/roles";
import { jobLogLines, jobRunWithCreator } from "@/lib/db/jobs";
import { JsonPanel } from "@/components/JsonPanel";

export const metadata: Metadata = { title: "Job" };

export default async function JobPage({ params }: { params: Promise<{ id: string }> }) {
  const { user } = await requirePageUser();
  const { id } = await params;
  const run = await jobRunWithCreator(id);
  if (!run) notFound();
  const logs = await jobLogLines(id, { take: 500 });

  return (
    <>
      <PageHeader
        title={QUEUE_TITLES[run.queue] ?? run.queue}
        breadcrumb={<Link href="/jobs">Jobs</Link>}
        description={
          <>
            {describeJobInput(run.queue, run.input)} · <span className="mono">{run.id}</span>
          </>
        }
      />
      <LiveJobPanel initial={toJobView(run)} initialLogs={logs.map(toJobLogView)} canCancel={hasRole(user.role, "editor")} />
      <JsonPanel title="Input" label="Job input" value={run.input} />
    </>
  );
}
