"use client";

import { useState, type FormEvent } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { postJson } from "@/components/api-client";
import { Field } from "@/components/Field";
import { Select } from "@/components/Select";
import { DataTable, numeric } from "@/components/DataTable";
import { ErrorAlert } from "@/components/ErrorAlert";

export interface MetricOption {
  key: string;
  name: string;
  description: string;
  lowerIsBetter: boolean;
  /** the metric's default non-inferiority margin, percent */
  marginPercent: number;
}

const ROLES = ["primary", "secondary", "guardrail"] as const;

export interface ModelOption {
  id: string;
  label: string;
  role: string;
  production: boolean;
}

interface Defaults {
  rampSchedule: string;
  minStageMinutes: number;
  minStageExposures: number;
  latencyP95Ms: number;
  errorRatePercent: number;
  alpha: number;
  srmPValue: number;
  severeErrorMultiplier: number;
  severeLatencyMultiplier: number;
  severeKpiAlpha: number;
  minGuardrailExposures: number;
}

/** "" → undefined (server default); anything else → a number (NaN is sent as null: "must be a number"). */
function num(value: FormDataEntryValue | null, scale = 1): number | null | undefined {
  const text = String(value ?? "").trim();
  if (text === "") return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n * scale : null;
}

export function CreateExperimentForm({
  models,
  productionModelId,
  maxUnapprovedPercent,
  defaults,
  metrics,
  prefill,
}: {
  models: ModelOption[];
  productionModelId: string | null;
  /** the installation's cap on the candidate's share before approval */
  maxUnapprovedPercent: number;
  defaults: Defaults;
  /** the catalogue's active metrics */
  metrics: MetricOption[];
  /** from an offline comparison ("Create experiment from this comparison") */
  prefill?: { name?: string; description?: string; controlModelId?: string; candidateModelId?: string };
}) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  /** keys of the metrics last sent, in order: server paths name them by index (metrics.2.…) */
  const [sentMetrics, setSentMetrics] = useState<string[]>([]);
  const students = models.filter((m) => m.role === "student");
  const known = (id?: string) => (id && models.some((m) => m.id === id) ? id : undefined);
  const defaultCandidate = known(prefill?.candidateModelId) ?? students.find((m) => !m.production)?.id ?? models.find((m) => !m.production)?.id ?? "";
  const defaultControl = known(prefill?.controlModelId) ?? productionModelId ?? "";

  /** first server message for a field or anything under it (rampSchedule.2 → rampSchedule) */
  const err = (path: string) => errors[path] ?? Object.entries(errors).find(([p]) => p.startsWith(`${path}.`))?.[1];

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const chosenMetrics = metrics
      .map((m) => ({ metricKey: m.key, role: String(f.get(`role-${m.key}`) ?? ""), margin: num(f.get(`margin-${m.key}`), 0.01) }))
      .filter((m) => m.role !== "")
      .map((m) => ({ metricKey: m.metricKey, role: m.role, nonInferiorityMargin: m.margin === undefined ? null : m.margin }));
    const ramp = String(f.get("rampSchedule") ?? "").trim();
    const body = {
      name: String(f.get("name") ?? ""),
      description: String(f.get("description") ?? ""),
      controlModelId: String(f.get("controlModelId") ?? "") || undefined,
      candidateModelId: String(f.get("candidateModelId") ?? ""),
      rampSchedule:
        ramp === ""
          ? undefined
          : ramp
              .split(/[\s,→>]+/)
              .filter(Boolean)
              .map((p) => num(p)),
      minStageMinutes: num(f.get("minStageMinutes")),
      minStageExposures: num(f.get("minStageExposures")),
      metrics: chosenMetrics,
      guardrails: {
        latencyP95Ms: num(f.get("latencyP95Ms")),
        errorRate: num(f.get("errorRate"), 0.01),
        alpha: num(f.get("alpha")),
        srmPValue: num(f.get("srmPValue")),
        minGuardrailExposures: num(f.get("minGuardrailExposures")),
        severe: {
          errorRateMultiplier: num(f.get("severeErrorMultiplier")),
          latencyP95Multiplier: num(f.get("severeLatencyMultiplier")),
          kpiAlpha: num(f.get("severeKpiAlpha")),
          action: String(f.get("severeAction") ?? "rollback"),
        },
      },
    };
    setSentMetrics(chosenMetrics.map((m) => m.metricKey));
    setPending(true);
    setMessage(null);
    const result = await postJson<{ experiment: { id: string } }>("/api/experiments", body);
    setPending(false);
    if (result.ok) {
      router.push(`/experiments/${result.data.experiment.id}`);
      router.refresh();
    } else {
      setErrors(result.error.fieldErrors);
      setMessage(result.error.message);
    }
  }

  const input = (id: string, path: string, defaultValue: string | number, type = "text", extra: Record<string, string> = {}) => (
    <input id={id} name={id} type={type} defaultValue={defaultValue} aria-invalid={Boolean(err(path))} {...extra} />
  );

  return (
    <form className="stack" onSubmit={onSubmit} noValidate data-testid="create-experiment-form">
      <ErrorAlert error={message} />
      <Field id="name" label="Name" error={err("name")}>
        {input("name", "name", prefill?.name ?? "", "text", { placeholder: "Student dim 20 (DE-RRD) vs teacher" })}
      </Field>
      <Field id="description" label="Description (optional)" error={err("description")}>
        <textarea id="description" name="description" rows={2} defaultValue={prefill?.description ?? ""} />
      </Field>
      <Field id="controlModelId" label="Control model" error={err("controlModelId")} hint="Defaults to the model serving production.">
        <select id="controlModelId" name="controlModelId" defaultValue={defaultControl} aria-invalid={Boolean(err("controlModelId"))}>
          {defaultControl ? null : <option value="">— choose —</option>}
          {models.map((m) => (
            <option key={m.id} value={m.id}>
              {m.production ? "★ production: " : ""}
              {m.label}
            </option>
          ))}
        </select>
      </Field>
      <Field id="candidateModelId" label="Candidate model" error={err("candidateModelId")} hint="Usually a distilled student.">
        <select id="candidateModelId" name="candidateModelId" defaultValue={defaultCandidate} aria-invalid={Boolean(err("candidateModelId"))}>
          <option value="">— choose —</option>
          {[...students, ...models.filter((m) => m.role !== "student")].map((m) => (
            <option key={m.id} value={m.id}>
              {m.label}
            </option>
          ))}
        </select>
      </Field>
      <Field
        id="rampSchedule"
        label="Ramp schedule (candidate %)"
        error={err("rampSchedule")}
        hint={`Increasing percents ending at 100; the last step is the approved production cutover. Before approval the candidate gets at most ${maxUnapprovedPercent}% of traffic.`}
      >
        {input("rampSchedule", "rampSchedule", defaults.rampSchedule)}
      </Field>
      <div className="grid cols-2">
        <Field id="minStageMinutes" label="Min minutes per stage" error={err("minStageMinutes")} hint="0 for demos and tests.">
          {input("minStageMinutes", "minStageMinutes", defaults.minStageMinutes, "number", { min: "0" })}
        </Field>
        <Field id="minStageExposures" label="Min candidate exposures per stage" error={err("minStageExposures")}>
          {input("minStageExposures", "minStageExposures", defaults.minStageExposures, "number", { min: "0" })}
        </Field>
      </div>
      <fieldset className="field" aria-invalid={Boolean(err("metrics"))} data-testid="experiment-metrics">
        <legend>
          <strong>Metrics</strong> from the{" "}
          <Link href="/metrics" style={{ textDecoration: "underline" }}>
            catalogue
          </Link>
          : the primary metric and every guardrail must be non-inferior within its margin to advance; secondary metrics are reported only.
        </legend>
        <DataTable columns={["Metric", "Role", numeric("Margin %")]} wrap="plain">
          {metrics.map((m) => (
            <tr key={m.key} data-metric={m.key}>
              <td title={m.description}>
                <label htmlFor={`role-${m.key}`}>{m.name}</label>
                <div className="muted" style={{ fontSize: 12 }}>
                  {m.description}
                  {m.lowerIsBetter ? " · lower is better" : ""}
                </div>
              </td>
              <td>
                <Select
                  id={`role-${m.key}`}
                  name={`role-${m.key}`}
                  defaultValue={m.key === "ctr" ? "primary" : ""}
                  aria-invalid={Boolean(err(`metrics.${sentMetrics.indexOf(m.key)}.metricKey`))}
                  options={[{ value: "", label: "not used" }, ...ROLES]}
                />
              </td>
              <td className="num">
                <input
                  id={`margin-${m.key}`}
                  name={`margin-${m.key}`}
                  type="number"
                  step="any"
                  min="0"
                  defaultValue={m.marginPercent}
                  style={{ width: 90 }}
                  aria-label={`${m.name} margin %`}
                  aria-invalid={Boolean(err(`metrics.${sentMetrics.indexOf(m.key)}.nonInferiorityMargin`))}
                />
              </td>
            </tr>
          ))}
        </DataTable>
        {Object.entries(errors)
          .filter(([p]) => p === "metrics" || p.startsWith("metrics."))
          .map(([p, e]) => {
            const key = sentMetrics[Number(p.split(".")[1])];
            const name = metrics.find((m) => m.key === key)?.name;
            return (
              <span key={p} className="field-error" role="alert">
                {name ? `${name}: ` : ""}
                {e}
              </span>
            );
          })}
      </fieldset>
      <div className="grid cols-2">
        <Field id="latencyP95Ms" label="Latency p95 ceiling (ms)" error={err("guardrails.latencyP95Ms")}>
          {input("latencyP95Ms", "guardrails.latencyP95Ms", defaults.latencyP95Ms, "number", { step: "any" })}
        </Field>
        <Field id="errorRate" label="Error-rate ceiling (%)" error={err("guardrails.errorRate")}>
          {input("errorRate", "guardrails.errorRate", defaults.errorRatePercent, "number", { step: "any" })}
        </Field>
      </div>
      <details>
        <summary>Advanced: statistics and severe breaches</summary>
        <div className="grid cols-2" style={{ marginTop: 12 }}>
          <Field id="alpha" label="Alpha (sequential tests)" error={err("guardrails.alpha")}>
            {input("alpha", "guardrails.alpha", defaults.alpha, "number", { step: "any" })}
          </Field>
          <Field id="srmPValue" label="SRM hold threshold (p <)" error={err("guardrails.srmPValue")}>
            {input("srmPValue", "guardrails.srmPValue", defaults.srmPValue, "number", { step: "any" })}
          </Field>
          <Field id="minGuardrailExposures" label="Candidate requests before latency/errors are judged" error={err("guardrails.minGuardrailExposures")}>
            {input("minGuardrailExposures", "guardrails.minGuardrailExposures", defaults.minGuardrailExposures, "number")}
          </Field>
          <Field id="severeAction" label="On a severe breach" error={err("guardrails.severe.action")}>
            <select id="severeAction" name="severeAction" defaultValue="rollback">
              <option value="rollback">roll back to 0%</option>
              <option value="pause">pause</option>
            </select>
          </Field>
          <Field id="severeErrorMultiplier" label="Severe: error rate above ceiling ×" error={err("guardrails.severe.errorRateMultiplier")}>
            {input("severeErrorMultiplier", "guardrails.severe.errorRateMultiplier", defaults.severeErrorMultiplier, "number", { step: "any" })}
          </Field>
          <Field id="severeLatencyMultiplier" label="Severe: p95 above ceiling ×" error={err("guardrails.severe.latencyP95Multiplier")}>
            {input("severeLatencyMultiplier", "guardrails.severe.latencyP95Multiplier", defaults.severeLatencyMultiplier, "number", { step: "any" })}
          </Field>
          <Field id="severeKpiAlpha" label="Severe: KPI inferior at alpha" error={err("guardrails.severe.kpiAlpha")}>
            {input("severeKpiAlpha", "guardrails.severe.kpiAlpha", defaults.severeKpiAlpha, "number", { step: "any" })}
          </Field>
        </div>
      </details>
      <div>
        <button type="submit" disabled={pending}>
          {pending ? "Creating…" : "Create draft"}
        </button>
      </div>
    </form>
  );
}
