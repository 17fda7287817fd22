"use client";

import { useEffect, useRef, useState } from "react";
import { isTerminal, type JobLogView, type JobView } from "@/lib/jobs/view";

const POLL_INTERVAL_MS = 1000;

interface JobResponse {
  job: JobView;
  logs: JobLogView[];
}

/**
 * Follows a job: GET /api/jobs/[id] every second until it reaches a terminal status. With
 * `withLogs`, new log lines are fetched incrementally (afterLogId) and appended.
 */
export function useJobPolling(initial: JobView, initialLogs: JobLogView[] = [], withLogs = false) {
  const [job, setJob] = useState(initial);
  const [logs, setLogs] = useState(initialLogs);
  const [stale, setStale] = useState(false);
  const lastLogId = useRef(initialLogs.at(-1)?.id ?? "0");
  const terminal = isTerminal(job.status);

  useEffect(() => {
    if (terminal) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();

    async function poll() {
      try {
        const params = new URLSearchParams(withLogs ? { afterLogId: lastLogId.current } : { logs: "none" });
        const response = await fetch(`/api/jobs/${initial.id}?${params}`, { cache: "no-store", signal: controller.signal });
        if (!response.ok) throw new Error(String(response.status));
        const body = (await response.json()) as JobResponse;
        setStale(false);
        if (body.logs.length > 0) {
          lastLogId.current = body.logs.at(-1)!.id;
          setLogs((previous) => [...previous, ...body.logs]);
        }
        setJob(body.job);
        if (isTerminal(body.job.status)) return;
      } catch {
        if (controller.signal.aborted) return;
        setStale(true);
      }
      timer = setTimeout(poll, POLL_INTERVAL_MS);
    }

    timer = setTimeout(poll, POLL_INTERVAL_MS);
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [initial.id, terminal, withLogs]);

  return { job, setJob, logs, stale };
}
