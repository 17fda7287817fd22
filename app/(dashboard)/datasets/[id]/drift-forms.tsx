"use client";

import type { FormEvent } from "react";
import { Field } from "@/components/Field";
import { useJobForm } from "@/components/jobs/useJobForm";
import { namedOptions, Select } from "@/components/Select";
import { ErrorAlert } from "@/components/ErrorAlert";

function FormError({ error }: { error: string | null }) {
  return <ErrorAlert error={error} style={{ flexBasis: "100%" }} />;
}

/** "Check drift against…": queues a drift-check job of this dataset against a chosen reference. */
export function DriftCheckForm({
  datasetId,
  references,
  defaultReferenceId,
}: {
  datasetId: string;
  references: { id: string; name: string }[];
  defaultReferenceId?: string;
}) {
  const f = useJobForm(`/api/datasets/${datasetId}/drift-check`);
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    await f.submit({ referenceDatasetId: String(form.get("referenceDatasetId") ?? ""), redistill: form.get("redistill") === "on" });
  }
  return (
    <form className="inline" onSubmit={onSubmit} noValidate>
      <Field id="drift-reference" label="Check drift against…" error={f.fieldErrors.referenceDatasetId}>
        <Select
          id="drift-reference"
          name="referenceDatasetId"
          defaultValue={defaultReferenceId ?? ""}
          aria-invalid={Boolean(f.fieldErrors.referenceDatasetId)}
          options={[{ value: "", label: "Pick a reference dataset" }, ...namedOptions(references)]}
        />
      </Field>
      <label style={{ alignSelf: "center" }}>
        <input type="checkbox" name="redistill" defaultChecked /> redistill on drift
      </label>
      <button type="submit" disabled={f.pending || !f.hydrated}>
        {f.pending ? "Starting…" : "Check drift"}
      </button>
      <FormError error={f.error} />
    </form>
  );
}

/** A later, drifted snapshot of a synthetic dataset: the same generator parameters plus a drift phase. */
export function DriftedSnapshotForm({ parentId, parentName, generator }: { parentId: string; parentName: string; generator: Record<string, unknown> }) {
  const f = useJobForm("/api/datasets");
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const num = (k: string) => (String(form.get(k) ?? "").trim() === "" ? undefined : Number(form.get(k)));
    await f.submit({
      ...generator,
      name: form.get("name"),
      drift: { phase: num("phase"), newItemFraction: num("newItemFraction") },
      parentDatasetId: parentId,
    });
  }
  // a share from 0 to 1 in steps of 0.05; `path` names its field in the server's errors
  const share = (id: string, name: string, label: string, path: string, defaultValue: number) => (
    <Field id={id} label={label} error={f.fieldErrors[path]}>
      <input
        id={id}
        name={name}
        type="number"
        step="0.05"
        min={0}
        max={1}
        defaultValue={defaultValue}
        style={{ width: 90 }}
        aria-invalid={Boolean(f.fieldErrors[path])}
      />
    </Field>
  );
  return (
    <form className="inline" onSubmit={onSubmit} noValidate>
      <Field id="drift-name" label="Name" error={f.fieldErrors.name}>
        <input id="drift-name" name="name" type="text" defaultValue={`${parentName} (drifted)`.slice(0, 120)} aria-invalid={Boolean(f.fieldErrors.name)} />
      </Field>
      {share("drift-phase", "phase", "Drift phase (0–1)", "drift.phase", 0.6)}
      {share("drift-new-items", "newItemFraction", "New items (share)", "drift.newItemFraction", 0.1)}
      <button type="submit" disabled={f.pending || !f.hydrated}>
        {f.pending ? "Starting…" : "Generate drifted snapshot"}
      </button>
      <FormError error={f.error} />
    </form>
  );
}
