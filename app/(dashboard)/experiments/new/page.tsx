import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/PageHeader";
import { requirePageRole } from "@/lib/auth/current";
import { db } from "@/lib/db/client";
import { listModelChoices } from "@/lib/db/models";
import { getProductionSlot } from "@/lib/db/serving";
import {
  guardrailsSchema,
  DEFAULT_MIN_STAGE_EXPOSURES,
  DEFAULT_MIN_STAGE_MINUTES,
  DEFAULT_RAMP_SCHEDULE,
  maxUnapprovedPercent,
} from "@/lib/experiments/config";
import { listMetrics, toDefinition } from "@/lib/db/metrics";
import { describeMetric } from "@/lib/experiments/metrics";
import { CreateExperimentForm, type ModelOption } from "./create-experiment-form";

export const metadata: Metadata = { title: "New experiment" };

const one = (v: string | string[] | undefined) => (typeof v === "string" ? v.slice(0, 500) : undefined);

export default async function NewExperimentPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageRole("editor");
  const query = await searchParams;
  const prefill = { name: one(query.name), description: one(query.description), controlModelId: one(query.control), candidateModelId: one(query.candidate) };
  const [models, slot] = await Promise.all([listModelChoices(), getProductionSlot()]);
  const catalogue = (await listMetrics(db(), { activeOnly: true })).map((m) => ({
    key: m.key,
    name: m.name,
    description: describeMetric(toDefinition(m)),
    lowerIsBetter: m.direction === "lowerIsBetter",
    marginPercent: Math.round(m.nonInferiorityMargin * 100_000) / 1000,
  }));
  const options: ModelOption[] = models.map((m) => ({
    id: m.id,
    label: `${m.name} — ${m.role}, dim ${m.dimension}${m.distillationMethod ? `, ${m.distillationMethod}` : ""} (${m.dataset.name})`,
    role: m.role,
    production: m.id === slot?.modelId,
  }));
  const g = guardrailsSchema.parse({});

  return (
    <>
      <PageHeader
        title="New experiment"
        breadcrumb={<Link href="/experiments">Experiments</Link>}
        description="Control is the model serving production today; the candidate is usually a distilled student. The experiment starts as a draft."
      />
      <section className="panel">
        {models.length < 2 ? (
          <p className="empty">An experiment needs at least two models: train a teacher and distill a student first.</p>
        ) : (
          <CreateExperimentForm
            models={options}
            productionModelId={slot?.modelId ?? null}
            maxUnapprovedPercent={maxUnapprovedPercent()}
            defaults={{
              rampSchedule: DEFAULT_RAMP_SCHEDULE.join(", "),
              minStageMinutes: DEFAULT_MIN_STAGE_MINUTES,
              minStageExposures: DEFAULT_MIN_STAGE_EXPOSURES,
              latencyP95Ms: g.latencyP95Ms,
              errorRatePercent: g.errorRate * 100,
              alpha: g.alpha,
              srmPValue: g.srmPValue,
              severeErrorMultiplier: g.severe.errorRateMultiplier,
              severeLatencyMultiplier: g.severe.latencyP95Multiplier,
              severeKpiAlpha: g.severe.kpiAlpha,
              minGuardrailExposures: g.minGuardrailExposures,
            }}
            metrics={catalogue}
            prefill={prefill}
          />
        )}
      </section>
    </>
  );
}
