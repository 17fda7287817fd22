import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/PageHeader";
import { ProgressBar } from "@/components/ProgressBar";
import { StatusBadge } from "@/components/StatusBadge";
import { formatInt, formatRelative } from "@/components/format";
import { QUEUE_TITLES } from "@/components/jobs/view";
import { requirePageUser } from "@/lib/auth/current";
import { loadOverview } from "@/lib/db/overview";
import { OverviewAlerts } from "./overview-alerts";
import { DriftCharts, driftPoints, GateTable, LoopEvents } from "@/components/loop/LoopSection";
import { DataTable, LinkCell } from "@/components/DataTable";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const { user } = await requirePageUser();
  const overview = await loadOverview();
  const { datasets, teachers, students, activeJobs, failedJobs, runningExperiments, production } = overview;
  const { recentJobs, recentAudit, liveChecks, redistillRuns, loopEvents } = overview;

  return (
    <>
      <PageHeader title="Overview" description={`Signed in as ${user.email}. Teacher → student distillation, offline proof, guarded rollout.`} />
      <OverviewAlerts role={user.role} />
      <div className="grid cols-4" style={{ marginBottom: 20 }}>
        <Stat label="Datasets" value={formatInt(datasets)} href="/datasets" />
        <Stat label="Models" value={formatInt(teachers + students)} sub={`${teachers} teachers · ${students} students`} href="/models" />
        <Stat label="Active jobs" value={formatInt(activeJobs)} sub={failedJobs > 0 ? `${failedJobs} failed in 24 h` : "none failed in 24 h"} href="/jobs" />
        <Stat label="Live experiments" value={formatInt(runningExperiments)} href="/experiments" />
      </div>
      <div className="grid cols-2">
        <section className="panel">
          <h2>Production model</h2>
          {production ? (
            <dl className="facts">
              <dt>Model</dt>
              <dd>
                <Link href={`/models/${production.model.id}`}>{production.model.name}</Link>
              </dd>
              <dt>Role</dt>
              <dd>
                <StatusBadge status={production.model.role} />
              </dd>
              <dt>Dimension</dt>
              <dd>{production.model.dimension}</dd>
              <dt>Since</dt>
              <dd>
                {formatRelative(production.updatedAt)} (version {production.version})
              </dd>
            </dl>
          ) : (
            <p className="muted">No model serves production yet. Train a teacher, distil a student, then promote one through an experiment.</p>
          )}
        </section>
        <section className="panel">
          <h2>How Understudy works</h2>
          <ol style={{ margin: 0, paddingLeft: 18, lineHeight: 1.7 }}>
            <li>
              Load or generate a <Link href="/datasets">dataset</Link>.
            </li>
            <li>
              Train a large teacher, then distil small students from it (<Link href="/models">models</Link>).
            </li>
            <li>Compare them offline: ranking quality, niche users, size, latency.</li>
            <li>
              Put the best student in an <Link href="/experiments">experiment</Link>: a guarded, gradual rollout.
            </li>
            <li>An approver signs off the production cutover; drift triggers redistillation.</li>
          </ol>
        </section>
      </div>
      {production ? (
        <section className="panel">
          <h2>
            Production drift and redistillation{" "}
            <Link href={`/models/${production.model.id}#loop`} style={{ fontWeight: 400, fontSize: 13 }}>
              settings →
            </Link>
          </h2>
          <DriftCharts checks={driftPoints(liveChecks)} />
          <h3>Latest redistillations</h3>
          <GateTable runs={redistillRuns} />
          <h3>Loop events</h3>
          <LoopEvents events={loopEvents.map((e) => ({ ...e, id: e.id.toString() }))} />
        </section>
      ) : null}
      <div className="grid cols-2">
        <section className="panel">
          <h2>
            Recent jobs{" "}
            <Link href="/jobs" style={{ fontWeight: 400, fontSize: 13 }}>
              all →
            </Link>
          </h2>
          <DataTable empty={recentJobs.length === 0 && "No jobs yet."} columns={[]} label="Recent jobs (scrolls sideways)">
            {recentJobs.map((job) => (
              <tr key={job.id}>
                <LinkCell href={`/jobs/${job.id}`}>{QUEUE_TITLES[job.queue] ?? job.queue}</LinkCell>
                <td>
                  <StatusBadge status={job.status} />
                </td>
                <td style={{ width: "40%" }}>
                  <ProgressBar percent={job.progress} status={job.status} />
                </td>
                <td className="muted">{formatRelative(job.createdAt)}</td>
              </tr>
            ))}
          </DataTable>
        </section>
        <section className="panel">
          <h2>
            Recent activity{" "}
            <Link href="/audit" style={{ fontWeight: 400, fontSize: 13 }}>
              audit log →
            </Link>
          </h2>
          <DataTable empty={recentAudit.length === 0 && "Nothing recorded yet."} columns={[]} label="Recent activity (scrolls sideways)">
            {recentAudit.map((entry) => (
              <tr key={entry.id.toString()}>
                <td className="mono">{entry.action}</td>
                <td>{entry.actorLabel}</td>
                <td className="muted">{formatRelative(entry.createdAt)}</td>
              </tr>
            ))}
          </DataTable>
        </section>
      </div>
    </>
  );
}

function Stat({ label, value, sub, href }: { label: string; value: string; sub?: string; href: string }) {
  return (
    <Link href={href} className="stat" style={{ color: "inherit", textDecoration: "none" }}>
      <div className="label">{label}</div>
      <div className="value">{value}</div>
      {sub ? <div className="sub">{sub}</div> : null}
    </Link>
  );
}
