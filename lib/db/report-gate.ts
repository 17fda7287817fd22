// What stands between a page view and the report queries: a short cache per (experiment, window),
// shared by concurrent identical requests, and a cap on report queries running at once in this
// process, so a room of viewers refreshing a report cannot saturate the database. The scheduler
// calls loadExperimentReport directly (it must see fresh numbers).
import { HttpError } from "@/lib/http/errors";
import type { Db } from "./client";
import { loadExperimentReport, type LoadedReport, type ReportScope } from "./reports";

export const REPORT_CACHE_MS = 10_000;
export const REPORT_MAX_CONCURRENT = 2;
export const REPORT_MAX_WAITING = 16;

const cache = new Map<string, { at: number; value: Promise<LoadedReport | null> }>();
let running = 0;
const waiting: (() => void)[] = [];

/** Runs `fn` in one of REPORT_MAX_CONCURRENT slots, waiting in a bounded queue (503 beyond it). */
export async function withReportSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= REPORT_MAX_CONCURRENT) {
    if (waiting.length >= REPORT_MAX_WAITING) {
      throw new HttpError(503, "busy", "Too many reports are being computed right now; try again in a few seconds", { retryAfterSeconds: 5 });
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else {
    running += 1;
  }
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next)
      next(); // the slot passes straight on
    else running -= 1;
  }
}

function scopeKey(scope: ReportScope): string {
  return scope.kind === "stage" ? `stage:${scope.index}` : scope.kind;
}

function isStatementTimeout(error: unknown): boolean {
  const text = `${(error as { code?: string })?.code ?? ""} ${(error as Error)?.message ?? ""}`;
  return /57014|statement timeout|canceling statement/i.test(text);
}

/** The report for people: cached for REPORT_CACHE_MS, at most REPORT_MAX_CONCURRENT computing at once. */
export function cachedExperimentReport(db: Db, experimentId: string, scope: ReportScope = { kind: "current" }, now = Date.now()): Promise<LoadedReport | null> {
  const key = `${experimentId}|${scopeKey(scope)}`;
  const hit = cache.get(key);
  if (hit && now - hit.at < REPORT_CACHE_MS) return hit.value;
  if (cache.size > 1000) for (const [k, v] of cache) if (now - v.at >= REPORT_CACHE_MS) cache.delete(k);
  const value = withReportSlot(() => loadExperimentReport(db, experimentId, scope)).catch((error: unknown) => {
    cache.delete(key);
    if (isStatementTimeout(error)) throw new HttpError(503, "report_timeout", "The report took too long to compute; try a shorter window (a single stage)");
    throw error;
  });
  cache.set(key, { at: now, value });
  return value;
}

/** Tests: forget cached reports. */
export function clearReportCache(): void {
  cache.clear();
}
