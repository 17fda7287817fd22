"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import type { ApiFailure, ApiResult } from "@/components/api-client";
import { useHydrated } from "@/components/useHydrated";

/**
 * State of a button or form that calls one of our route handlers: pending while the call runs, the
 * server's message and per-field errors on failure; on success `onDone` runs (by default the page's
 * server data refreshes). `run` answers the call's result.
 */
export function useApiAction() {
  const router = useRouter();
  const hydrated = useHydrated();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  async function run<T>(call: () => Promise<ApiResult<T>>, onDone?: (data: T) => void, describe: (e: ApiFailure) => string = (e) => e.message) {
    setPending(true);
    setError(null);
    const result = await call();
    setPending(false);
    if (!result.ok) {
      setFieldErrors(result.error.fieldErrors);
      setError(describe(result.error));
      return result;
    }
    setFieldErrors({});
    if (onDone) onDone(result.data);
    else router.refresh();
    return result;
  }

  return { run, pending, hydrated, error, fieldErrors };
}
