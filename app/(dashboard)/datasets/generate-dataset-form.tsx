"use client";

import type { FormEvent } from "react";
import { Field } from "@/components/Field";
import { useJobForm } from "@/components/jobs/useJobForm";
import { ErrorAlert } from "@/components/ErrorAlert";

function numberOrUndefined(value: FormDataEntryValue | null): number | undefined {
  if (value === null || String(value).trim() === "") return undefined;
  return Number(value);
}

export function GenerateDatasetForm() {
  const { submit, pending, hydrated, error, fieldErrors } = useJobForm("/api/datasets");

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    await submit({
      name: form.get("name"),
      seed: numberOrUndefined(form.get("seed")),
      numUsers: numberOrUndefined(form.get("numUsers")),
      numItems: numberOrUndefined(form.get("numItems")),
    });
  }

  return (
    <form className="inline" onSubmit={onSubmit} noValidate>
      <Field id="ds-name" label="Name" error={fieldErrors.name}>
        <input id="ds-name" name="name" type="text" placeholder="e.g. synthetic-2k" aria-invalid={Boolean(fieldErrors.name)} />
      </Field>
      <Field id="ds-users" label="Users" error={fieldErrors.numUsers}>
        <input id="ds-users" name="numUsers" type="number" defaultValue={2000} min={10} style={{ width: 110 }} aria-invalid={Boolean(fieldErrors.numUsers)} />
      </Field>
      <Field id="ds-items" label="Items" error={fieldErrors.numItems}>
        <input id="ds-items" name="numItems" type="number" defaultValue={1000} min={10} style={{ width: 110 }} aria-invalid={Boolean(fieldErrors.numItems)} />
      </Field>
      <Field id="ds-seed" label="Seed" error={fieldErrors.seed}>
        <input id="ds-seed" name="seed" type="number" defaultValue={42} min={0} style={{ width: 90 }} aria-invalid={Boolean(fieldErrors.seed)} />
      </Field>
      <button type="submit" disabled={pending || !hydrated}>
        {pending ? "Starting…" : "Generate dataset"}
      </button>
      <ErrorAlert error={error} style={{ flexBasis: "100%" }} />
    </form>
  );
}
