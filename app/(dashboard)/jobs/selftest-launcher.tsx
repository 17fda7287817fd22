"use client";

import type { FormEvent } from "react";
import { Field } from "@/components/Field";
import { useJobForm } from "@/components/jobs/useJobForm";
import { ErrorAlert } from "@/components/ErrorAlert";

/** Starts a self-test job (counts to N with progress) and opens its page. */
export function SelftestLauncher() {
  const { submit, pending, hydrated, error, fieldErrors } = useJobForm("/api/jobs/selftest");

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    await submit({
      steps: Number(form.get("steps")),
      stepMs: Number(form.get("stepMs")),
    });
  }

  return (
    <section className="panel">
      <h2>Self-test</h2>
      <p className="muted" style={{ marginTop: -6 }}>
        Runs a small job through the queue and a worker, reporting progress at every step: a quick check that background work is healthy.
      </p>
      <form className="inline" onSubmit={onSubmit} noValidate>
        <Field id="steps" label="Steps" error={fieldErrors.steps}>
          <input id="steps" name="steps" type="number" min={1} max={1000} defaultValue={20} style={{ width: 110 }} />
        </Field>
        <Field id="stepMs" label="Step duration (ms)" error={fieldErrors.stepMs}>
          <input id="stepMs" name="stepMs" type="number" min={0} max={10000} defaultValue={150} style={{ width: 140 }} />
        </Field>
        <button type="submit" disabled={pending || !hydrated}>
          {pending ? "Starting…" : "Run self-test job"}
        </button>
      </form>
      <ErrorAlert error={error} style={{ marginTop: 12 }} />
    </section>
  );
}
