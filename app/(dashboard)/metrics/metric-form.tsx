"use client";
// Define or change a catalogue metric. Percent inputs are sent as fractions; the server validates the
// whole definition and its messages land under the field they name.
import { useState, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { callApi } from "@/components/api-client";
import { Field } from "@/components/Field";
import { Select } from "@/components/Select";
import { ErrorAlert } from "@/components/ErrorAlert";

export interface MetricFormValues {
  key: string;
  name: string;
  description: string;
  aggregation: "share" | "mean" | "ratio" | "quantile";
  event: string;
  measure: "count" | "value";
  denominatorEvent: string | null;
  denominatorMeasure: "count" | "value";
  quantile: number | null;
  direction: "higherIsBetter" | "lowerIsBetter";
  capPercentile: number | null;
  nonInferiorityMargin: number;
}

const BUILT_IN_EVENTS = [
  { value: "click", label: "click" },
  { value: "conversion", label: "conversion" },
  { value: "revenue", label: "revenue" },
  { value: "exposure", label: "exposure (a served request)" },
  { value: "latency", label: "latency (ms per request)" },
];
const AGGREGATIONS = [
  { value: "share", label: "Share of users with ≥ 1 event", hint: "e.g. conversion: exposed users with at least one event ÷ exposed users" },
  { value: "mean", label: "Mean per user", hint: "count (or sum of values) of the event per exposed user, e.g. revenue per user" },
  { value: "ratio", label: "Ratio of two sums", hint: "Σ numerator ÷ Σ denominator over users, e.g. clicks per exposure, revenue per order" },
  { value: "quantile", label: "Quantile per request", hint: "e.g. p95 latency per request, or p95 of an event's value" },
] as const;

const toPercent = (x: number | null) => (x === null ? "" : String(Math.round(x * 100_000) / 1000));

function eventParts(event: string | null): { kind: string; custom: string } {
  if (event?.startsWith("custom:")) return { kind: "custom", custom: event.slice("custom:".length) };
  return { kind: event ?? "click", custom: "" };
}

/** "" → null, a number → number × scale, anything else → NaN sent as null (the server names the field). */
function percent(text: FormDataEntryValue | null): number | null | string {
  const t = String(text ?? "").trim();
  if (t === "") return null;
  const n = Number(t);
  return Number.isFinite(n) ? n / 100 : t;
}

export function MetricForm({ initial, metricId, frozen }: { initial: MetricFormValues; metricId?: string; frozen?: string | null }) {
  const router = useRouter();
  const [aggregation, setAggregation] = useState(initial.aggregation);
  const [event, setEvent] = useState(eventParts(initial.event));
  const [denominator, setDenominator] = useState(eventParts(initial.denominatorEvent ?? "exposure"));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const editing = metricId !== undefined;
  const measuringDisabled = Boolean(frozen);

  const eventValue = (p: { kind: string; custom: string }) => (p.kind === "custom" ? `custom:${p.custom.trim()}` : p.kind);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const body: Record<string, unknown> = {
      name: String(f.get("name") ?? ""),
      description: String(f.get("description") ?? ""),
    };
    if (!measuringDisabled) {
      const quantile = percent(f.get("quantile"));
      const margin = percent(f.get("nonInferiorityMargin"));
      Object.assign(body, {
        aggregation,
        event: eventValue(event),
        measure:
          aggregation === "share" || event.kind === "exposure" || event.kind === "latency"
            ? "count"
            : aggregation === "quantile"
              ? "value"
              : String(f.get("measure") ?? "count"),
        denominatorEvent: aggregation === "ratio" ? eventValue(denominator) : null,
        denominatorMeasure: aggregation === "ratio" && denominator.kind !== "exposure" ? String(f.get("denominatorMeasure") ?? "count") : "count",
        quantile,
        direction: String(f.get("direction") ?? "higherIsBetter"),
        capPercentile: aggregation === "quantile" || aggregation === "share" ? null : percent(f.get("capPercentile")),
        nonInferiorityMargin: margin,
      });
    }
    if (!editing) body.key = String(f.get("key") ?? "").trim();
    setPending(true);
    setMessage(null);
    setErrors({});
    const res = await callApi<{ metric: { id: string } }>(editing ? `/api/metrics/${metricId}` : "/api/metrics", editing ? "PATCH" : "POST", body);
    setPending(false);
    if (!res.ok) {
      setErrors(res.error.fieldErrors);
      setMessage(res.error.message);
      return;
    }
    router.push("/metrics");
    router.refresh();
  }

  const err = (path: string) => errors[path];
  const eventSelect = (
    id: string,
    value: { kind: string; custom: string },
    set: (v: { kind: string; custom: string }) => void,
    path: string,
    options = BUILT_IN_EVENTS,
  ) => (
    <>
      <Select
        id={id}
        value={value.kind}
        onChange={(e) => set({ ...value, kind: e.target.value })}
        disabled={measuringDisabled}
        aria-invalid={Boolean(err(path))}
        options={[...options, { value: "custom", label: "custom event…" }]}
      />
      {value.kind === "custom" ? (
        <input
          id={`${id}-custom`}
          aria-label={`${id === "event" ? "Custom event" : "Custom denominator event"} name`}
          type="text"
          placeholder="add_to_cart"
          value={value.custom}
          onChange={(e) => set({ ...value, custom: e.target.value })}
          disabled={measuringDisabled}
          aria-invalid={Boolean(err(path))}
        />
      ) : null}
    </>
  );
  const hint = AGGREGATIONS.find((a) => a.value === aggregation)?.hint;
  const hasValue = event.kind !== "exposure" && event.kind !== "latency";

  return (
    <form className="stack" onSubmit={onSubmit} noValidate data-testid="metric-form">
      <ErrorAlert error={message} />
      {frozen ? <div className="alert info">{frozen}</div> : null}
      {editing ? null : (
        <Field id="key" label="Key" error={err("key")} hint="Lower case, digits and _; how the API and experiments refer to it. It cannot change later.">
          <input id="key" name="key" type="text" defaultValue={initial.key} placeholder="add_to_cart_share" aria-invalid={Boolean(err("key"))} />
        </Field>
      )}
      <Field id="name" label="Name" error={err("name")}>
        <input id="name" name="name" type="text" defaultValue={initial.name} placeholder="Add to cart" aria-invalid={Boolean(err("name"))} />
      </Field>
      <Field id="description" label="Description (optional)" error={err("description")}>
        <textarea id="description" name="description" rows={2} defaultValue={initial.description} />
      </Field>
      <Field id="aggregation" label="Aggregation" error={err("aggregation")} hint={hint}>
        <Select
          id="aggregation"
          value={aggregation}
          onChange={(e) => setAggregation(e.target.value as MetricFormValues["aggregation"])}
          disabled={measuringDisabled}
          aria-invalid={Boolean(err("aggregation"))}
          options={AGGREGATIONS}
        />
      </Field>
      <Field
        id="event"
        label={aggregation === "ratio" ? "Numerator event" : "Event"}
        error={err("event")}
        hint='A built-in event type, or a custom event: events of type "custom" whose eventId starts with "<name>:".'
      >
        {eventSelect("event", event, setEvent, "event")}
      </Field>
      {(aggregation === "mean" || aggregation === "ratio") && hasValue ? (
        <Field id="measure" label={aggregation === "ratio" ? "Numerator measure" : "Measure"} error={err("measure")}>
          <select id="measure" name="measure" defaultValue={initial.measure} disabled={measuringDisabled}>
            <option value="count">count of events</option>
            <option value="value">sum of event values</option>
          </select>
        </Field>
      ) : null}
      {aggregation === "ratio" ? (
        <div className="grid cols-2">
          <Field id="denominatorEvent" label="Denominator event" error={err("denominatorEvent")}>
            {eventSelect(
              "denominatorEvent",
              denominator,
              setDenominator,
              "denominatorEvent",
              BUILT_IN_EVENTS.filter((o) => o.value !== "latency"),
            )}
          </Field>
          {denominator.kind !== "exposure" ? (
            <Field id="denominatorMeasure" label="Denominator measure" error={err("denominatorMeasure")}>
              <select id="denominatorMeasure" name="denominatorMeasure" defaultValue={initial.denominatorMeasure} disabled={measuringDisabled}>
                <option value="count">count of events</option>
                <option value="value">sum of event values</option>
              </select>
            </Field>
          ) : null}
        </div>
      ) : null}
      {aggregation === "quantile" ? (
        <Field
          id="quantile"
          label="Quantile (%)"
          error={err("quantile")}
          hint="95 for p95. Each request (latency) or each event (its value) is one observation."
        >
          <input
            id="quantile"
            name="quantile"
            type="number"
            step="any"
            defaultValue={toPercent(initial.quantile ?? 0.95)}
            disabled={measuringDisabled}
            aria-invalid={Boolean(err("quantile"))}
          />
        </Field>
      ) : null}
      <div className="grid cols-2">
        <Field id="direction" label="Direction" error={err("direction")}>
          <select id="direction" name="direction" defaultValue={initial.direction} disabled={measuringDisabled}>
            <option value="higherIsBetter">higher is better</option>
            <option value="lowerIsBetter">lower is better</option>
          </select>
        </Field>
        <Field
          id="nonInferiorityMargin"
          label="Default non-inferiority margin (%)"
          error={err("nonInferiorityMargin")}
          hint="How much worse the candidate may be, relative: 2 = 2 %."
        >
          <input
            id="nonInferiorityMargin"
            name="nonInferiorityMargin"
            type="number"
            step="any"
            defaultValue={toPercent(initial.nonInferiorityMargin)}
            disabled={measuringDisabled}
            aria-invalid={Boolean(err("nonInferiorityMargin"))}
          />
        </Field>
      </div>
      {aggregation === "mean" || aggregation === "ratio" ? (
        <Field
          id="capPercentile"
          label="Cap per-user values at percentile (%, optional)"
          error={err("capPercentile")}
          hint="e.g. 99: values above the 99th percentile of all exposed users count as that percentile (bounds outliers)."
        >
          <input
            id="capPercentile"
            name="capPercentile"
            type="number"
            step="any"
            defaultValue={toPercent(initial.capPercentile)}
            disabled={measuringDisabled}
            aria-invalid={Boolean(err("capPercentile"))}
          />
        </Field>
      ) : null}
      <div>
        <button type="submit" disabled={pending}>
          {pending ? "Saving…" : editing ? "Save changes" : "Create metric"}
        </button>
      </div>
    </form>
  );
}
