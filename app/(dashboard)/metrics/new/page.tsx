import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/PageHeader";
import { requirePageRole } from "@/lib/auth/current";
import { MetricForm } from "../metric-form";

export const metadata: Metadata = { title: "New metric" };

export default async function NewMetricPage() {
  await requirePageRole("editor");
  return (
    <>
      <PageHeader
        title="New metric"
        breadcrumb={<Link href="/metrics">Metrics</Link>}
        description="A KPI experiments can choose as primary, secondary or guardrail metric."
      />
      <section className="panel">
        <MetricForm
          initial={{
            key: "",
            name: "",
            description: "",
            aggregation: "share",
            event: "click",
            measure: "count",
            denominatorEvent: null,
            denominatorMeasure: "count",
            quantile: null,
            direction: "higherIsBetter",
            capPercentile: null,
            nonInferiorityMargin: 0.02,
          }}
        />
      </section>
    </>
  );
}
