// Model metrics are free-form JSON written by the training/evaluation code, e.g.
// { test: { "N@10": 0.41, ... }, full: { "R@20": ... }, longTail: {...}, coverage10, ... }.
// These helpers read it without assuming more than "nested objects of numbers".

export interface MetricEntry {
  key: string;
  value: number;
}

export function flattenMetrics(value: unknown, prefix = ""): MetricEntry[] {
  if (typeof value === "number" && Number.isFinite(value)) return [{ key: prefix || "value", value }];
  if (!value || typeof value !== "object" || Array.isArray(value)) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) => flattenMetrics(inner, prefix ? `${prefix}.${key}` : key));
}

/** The first of `keys` (dotted paths) that holds a number. */
export function pickMetric(metrics: unknown, keys: string[]): number | null {
  const entries = new Map(flattenMetrics(metrics).map((e) => [e.key, e.value]));
  for (const key of keys) {
    const found = entries.get(key);
    if (found !== undefined) return found;
  }
  return null;
}

export const NDCG10_KEYS = ["test.N@10", "N@10", "test.ndcg10", "ndcg10"];
export const HR10_KEYS = ["test.H@10", "H@10", "test.hr10", "hr10"];
