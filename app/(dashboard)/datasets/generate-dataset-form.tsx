"use client";

import { useState, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { postJson } from "@/components/api-client";
import { Field } from "@/components/Field";
import type { JobView } from "@/components/jobs/view";
import { useHydrated } from "@/components/useHydrated";

function numberOrUndefined(value: FormDataEntryValue | null): number | undefined {
  if (value === null || String(value).trim() === "") return undefined;
  return Number(value);
}

export function GenerateDatasetForm() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const result = await postJson<{ job: JobView }>("/api/datasets", {
      name: form.get("name"),
      seed: numberOrUndefined(form.get("seed")),
      numUsers: numberOrUndefined(form.get("numUsers")),
      numItems: numberOrUndefined(form.get("numItems")),
    });
    if (result.ok) {
      router.push(`/jobs/${result.data.job.id}`);
      return;
    }
    setPending(false);
    setFieldErrors(result.error.fieldErrors);
    setError(result.error.message);
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
      {error ? (
        <div className="alert error" role="alert" style={{ flexBasis: "100%" }}>
          {error}
        </div>
      ) : null}
    </form>
  );
}
