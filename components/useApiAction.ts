"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import type { ApiFailure, ApiResult } from "@/components/api-client";
import { useHydrated } from "@/components/useHydrated";

/**
 * State of a button that calls one of our route handlers: pending while the call runs, the server's
 * message on failure; on success `onDone` runs (by default the page's server data refreshes).
 */
export function useApiAction() {
  const router = useRouter();
  const hydrated = useHydrated();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function run<T>(call: () => Promise<ApiResult<T>>, onDone?: (data: T) => void, describe: (e: ApiFailure) => string = (e) => e.message) {
    setPending(true);
    setError(null);
    const result = await call();
    setPending(false);
    if (!result.ok) setError(describe(result.error));
    else if (onDone) onDone(result.data);
    else router.refresh();
  }

  return { run, pending, hydrated, error };
}
