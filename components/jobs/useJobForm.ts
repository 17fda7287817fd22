"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { postJson } from "@/components/api-client";
import type { JobView } from "@/lib/jobs/view";
import { useHydrated } from "@/components/useHydrated";

/**
 * State of a form that launches a background job: posts the body to `url` (a route handler answering
 * `{job}`), opens the job's page on success, and keeps the server's message and per-field errors otherwise.
 */
export function useJobForm(url: string) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  async function submit(body: unknown) {
    setPending(true);
    setError(null);
    const result = await postJson<{ job: JobView }>(url, body);
    if (result.ok) {
      router.push(`/jobs/${result.data.job.id}`);
      return;
    }
    setPending(false);
    setFieldErrors(result.error.fieldErrors);
    setError(result.error.message);
  }
  return { submit, pending, hydrated, error, fieldErrors };
}
