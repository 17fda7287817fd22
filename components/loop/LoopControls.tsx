"use client";

import { useState, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { callApi, postJson } from "@/components/api-client";
import { Field } from "@/components/Field";
import type { JobView } from "@/lib/jobs/view";
import { useHydrated } from "@/components/useHydrated";
import { ErrorAlert } from "@/components/ErrorAlert";
import { useApiAction } from "@/components/useApiAction";

/**
 * The loop's buttons: fold live events now, check drift now, redistill now, and on a demo install
 * replay drifted demo traffic (each opens its job).
 */
export function LoopButtons({ modelId, canEdit, demoReplay = false }: { modelId: string; canEdit: boolean; demoReplay?: boolean }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function run(action: "snapshot" | "drift-check" | "redistill" | "replay-drift") {
    setPending(action);
    setError(null);
    const result = await postJson<{ job: JobView }>(`/api/models/${modelId}/loop/${action}`, {});
    if (result.ok) {
      router.push(`/jobs/${result.data.job.id}`);
      return;
    }
    setPending(null);
    setError(result.error.message);
  }
  const disabled = !hydrated || !canEdit || pending !== null;
  return (
    <div className="inline" style={{ display: "flex", gap: 8, flexWrap: "wrap", alignItems: "center", marginBottom: 16 }}>
      <button type="button" onClick={() => run("snapshot")} disabled={disabled}>
        {pending === "snapshot" ? "Starting…" : "Fold live events now"}
      </button>
      <button type="button" onClick={() => run("drift-check")} disabled={disabled}>
        {pending === "drift-check" ? "Starting…" : "Check drift now"}
      </button>
      <button type="button" onClick={() => run("redistill")} disabled={disabled}>
        {pending === "redistill" ? "Starting…" : "Redistill now"}
      </button>
      {demoReplay ? (
        <button
          type="button"
          onClick={() => run("replay-drift")}
          disabled={disabled}
          title="Sends the demo world after drift through the events ingestion, folds it into a snapshot and checks drift; a breach starts a redistillation"
        >
          {pending === "replay-drift" ? "Starting…" : "Replay drifted traffic (demo)"}
        </button>
      ) : null}
      {!canEdit ? <span className="muted">Editors can run these.</span> : null}
      <ErrorAlert error={error} style={{ flexBasis: "100%" }} />
    </div>
  );
}

export interface LoopSettingsView {
  driftIntervalMinutes: number;
  driftWindowHours: number;
  snapshotIntervalHours: number;
  retentionDays: number;
  redistillOnDrift: boolean;
  redistillIntervalHours: number | null;
  warmStartTeacher: boolean;
  autoStartExperiment: boolean;
  thresholds: {
    [K in "popularityPsi" | "popularityJsd" | "unknownItemShare" | "unknownUserShare" | "userActivityJsd" | "minAgreement10" | "kpiAlpha"]: number;
  };
  gate: { ndcgTolerance: number; longTailTolerance: number; latencyBudgetP99Us: number };
}

const THRESHOLD_FIELDS: [keyof LoopSettingsView["thresholds"], string, string][] = [
  ["popularityPsi", "Popularity PSI above", "0.25 = major shift"],
  ["popularityJsd", "Popularity JSD above", "0–1"],
  ["unknownItemShare", "Unknown-item traffic above", "share, 0–1"],
  ["unknownUserShare", "Unknown users above", "share, 0–1"],
  ["userActivityJsd", "User-activity JSD above", "0–1"],
  ["minAgreement10", "Agreement@10 below", "0–1"],
  ["kpiAlpha", "KPI drop: p-value below", "sequential test level"],
];

/** Per-model loop settings: schedules, retention, thresholds, gate, and what a passing candidate does. */
export function LoopSettingsForm({ modelId, settings, canEdit }: { modelId: string; settings: LoopSettingsView; canEdit: boolean }) {
  const { run, pending, hydrated, error, fieldErrors } = useApiAction();
  const [saved, setSaved] = useState(false);
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const num = (k: string) => Number(String(form.get(k) ?? "").trim());
    const optional = (k: string) => (String(form.get(k) ?? "").trim() === "" ? null : num(k));
    const body = {
      driftIntervalMinutes: num("driftIntervalMinutes"),
      driftWindowHours: num("driftWindowHours"),
      snapshotIntervalHours: num("snapshotIntervalHours"),
      retentionDays: num("retentionDays"),
      redistillOnDrift: form.get("redistillOnDrift") === "on",
      redistillIntervalHours: optional("redistillIntervalHours"),
      warmStartTeacher: form.get("warmStartTeacher") === "on",
      autoStartExperiment: form.get("autoStartExperiment") === "on",
      thresholds: Object.fromEntries(THRESHOLD_FIELDS.map(([k]) => [k, num(`t.${k}`)])),
      gate: {
        ndcgTolerance: num("g.ndcgTolerance") / 100,
        longTailTolerance: num("g.longTailTolerance") / 100,
        latencyBudgetP99Us: num("g.latencyBudgetP99Us"),
      },
    };
    setSaved(false);
    if ((await run(() => callApi(`/api/models/${modelId}/loop`, "PATCH", body))).ok) setSaved(true);
  }
  const input = (name: string, label: string, value: number | null, hint?: string, step = "any") => (
    <Field key={name} id={`loop-${name}`} label={label} error={fieldErrors[name.replace(/^t\./, "thresholds.").replace(/^g\./, "gate.")]} hint={hint}>
      <input id={`loop-${name}`} name={name} type="number" step={step} defaultValue={value ?? ""} disabled={!canEdit} style={{ width: 110 }} />
    </Field>
  );
  return (
    <form onSubmit={onSubmit} noValidate>
      <div className="inline" style={{ display: "flex", flexWrap: "wrap", gap: 12 }}>
        {input("driftIntervalMinutes", "Drift check every (min)", settings.driftIntervalMinutes, "divides an hour or a day", "1")}
        {input("driftWindowHours", "Live window (h)", settings.driftWindowHours, undefined, "1")}
        {input("snapshotIntervalHours", "Snapshot every (h)", settings.snapshotIntervalHours, "24 = daily", "1")}
        {input("retentionDays", "Retention (days)", settings.retentionDays, undefined, "1")}
        {input("redistillIntervalHours", "Scheduled redistill (h)", settings.redistillIntervalHours, "empty = none", "1")}
      </div>
      <h3>Thresholds</h3>
      <div className="inline" style={{ display: "flex", flexWrap: "wrap", gap: 12 }}>
        {THRESHOLD_FIELDS.map(([k, label, hint]) => input(`t.${k}`, label, settings.thresholds[k], hint))}
      </div>
      <h3>Offline gate</h3>
      <div className="inline" style={{ display: "flex", flexWrap: "wrap", gap: 12 }}>
        {input("g.ndcgTolerance", "NDCG@10 may drop (%)", +(100 * settings.gate.ndcgTolerance).toFixed(4))}
        {input("g.longTailTolerance", "Long-tail HR@10 may drop (%)", +(100 * settings.gate.longTailTolerance).toFixed(4))}
        {input("g.latencyBudgetP99Us", "p99 latency budget (µs)", settings.gate.latencyBudgetP99Us)}
      </div>
      <div style={{ display: "flex", flexWrap: "wrap", gap: 16, margin: "10px 0" }}>
        <label>
          <input type="checkbox" name="redistillOnDrift" defaultChecked={settings.redistillOnDrift} disabled={!canEdit} /> redistill on a drift breach
        </label>
        <label>
          <input type="checkbox" name="warmStartTeacher" defaultChecked={settings.warmStartTeacher} disabled={!canEdit} /> warm-start the teacher
        </label>
        <label>
          <input type="checkbox" name="autoStartExperiment" defaultChecked={settings.autoStartExperiment} disabled={!canEdit} /> start a passing
          candidate&apos;s experiment at once
        </label>
      </div>
      <button type="submit" disabled={!hydrated || !canEdit || pending}>
        {pending ? "Saving…" : "Save loop settings"}
      </button>
      {saved ? <span className="muted"> Saved; schedules updated.</span> : null}
      <ErrorAlert error={error} />
    </form>
  );
}
