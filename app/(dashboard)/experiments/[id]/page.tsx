// One experiment: lib/db/experiment-page.ts reads everything, lib/experiments/experiment-view.ts decides what
// to show, and each section below is a component of components/experiments/report, in reading order.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/PageHeader";
import { DistillationGuardrails } from "@/components/experiments/DistillationGuardrails";
import { formatDateTime } from "@/components/format";
import { ApprovalHistory, CutoverApproval } from "@/components/experiments/report/ApprovalSection";
import { AuditTrail } from "@/components/experiments/report/AuditTrail";
import { ExperimentSummary } from "@/components/experiments/report/ExperimentSummary";
import { KpiSection } from "@/components/experiments/report/KpiSection";
import { LastDecisionPanel } from "@/components/experiments/report/LastDecisionPanel";
import { OpsSection } from "@/components/experiments/report/OpsSection";
import { RampSection } from "@/components/experiments/report/RampSection";
import { NoReport, ReportWindow } from "@/components/experiments/report/ReportWindow";
import { TimelineSection } from "@/components/experiments/report/TimelineSection";
import { requirePageUser } from "@/lib/auth/current";
import { db } from "@/lib/db/client";
import { loadExperimentPage } from "@/lib/db/experiment-page";
import { experimentView } from "@/lib/experiments/experiment-view";
import { ExperimentStatusBadge } from "../status-badge";
import { ExperimentActions } from "./actions";
import { ExperimentRoiSection } from "@/components/experiments/report/RoiSection";
import { CatalogueMetricsSection } from "@/components/experiments/report/CatalogueMetricsSection";

export const metadata: Metadata = { title: "Experiment" };

export default async function ExperimentPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ scope?: string; fresh?: string }>;
}) {
  const { user } = await requirePageUser();
  const { id } = await params;
  const data = await loadExperimentPage(db(), id, await searchParams);
  if (!data) notFound();
  const view = experimentView(data, user);
  const { report, guardrails } = view;

  return (
    <>
      <PageHeader
        title={view.name}
        breadcrumb={<Link href="/experiments">Experiments</Link>}
        description={
          <>
            <ExperimentStatusBadge status={view.status} /> {view.description ? <span>{view.description} · </span> : null}
            created by {view.createdByEmail} {formatDateTime(view.createdAt)}
          </>
        }
        actions={<ExperimentActions experimentId={view.id} actions={view.headerActions} />}
      />

      <ExperimentSummary summary={view.summary} />
      <RampSection experimentId={view.id} ramp={view.ramp} guardrails={guardrails} />
      {view.lastDecision ? <LastDecisionPanel decision={view.lastDecision} /> : null}
      {view.approval ? <CutoverApproval experimentId={view.id} approval={view.approval} /> : null}
      <ApprovalHistory approvals={view.approvals} />

      {report ? (
        <>
          <ReportWindow experimentId={view.id} view={report} />
          {report.report.metrics?.length ? (
            <CatalogueMetricsSection metrics={report.report.metrics} alpha={report.report.alpha} severeAlpha={guardrails.severe.kpiAlpha} />
          ) : (
            <KpiSection report={report.report} guardrails={guardrails} />
          )}
          <DistillationGuardrails report={report.report} />
          <OpsSection report={report.report} guardrails={guardrails} />
          <ExperimentRoiSection report={report.report} control={view.summary.control ?? undefined} candidate={view.summary.candidate ?? undefined} />
          {report.timeline ? <TimelineSection timeline={report.timeline} ctrMargin={report.ctrMargin} /> : null}
        </>
      ) : (
        <NoReport text={view.noReport} />
      )}

      <AuditTrail entries={view.audit} />
    </>
  );
}
