"use client";

import { useState, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { postJson } from "@/components/api-client";
import { Field } from "@/components/Field";
import type { JobView } from "@/components/jobs/view";
import { useHydrated } from "@/components/useHydrated";

/** Starts a self-test job (counts to N with progress) and opens its page. */
export function SelftestLauncher() {
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
    const result = await postJson<{ job: JobView }>("/api/jobs/selftest", {
      steps: Number(form.get("steps")),
      stepMs: Number(form.get("stepMs")),
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
      {error ? (
        <div className="alert error" role="alert" style={{ marginTop: 12 }}>
          {error}
        </div>
      ) : null}
    </section>
  );
}
