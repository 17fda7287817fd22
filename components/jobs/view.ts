// How the UI names queues and summarises a job's input.
export const QUEUE_TITLES: Record<string, string> = {
  selftest: "Self-test",
  "generate-dataset": "Generate dataset",
  train: "Train / distill",
  "drift-check": "Drift check",
  "webhook-deliver": "Webhook delivery",
  "snapshot-build": "Build live snapshot",
  redistill: "Redistill",
  "demo-replay": "Replay drifted demo traffic",
};

/** A short human summary of a job's input for lists, e.g. "student d=20, de-rrd". */
export function describeJobInput(queue: string, input: unknown): string {
  const i = (input && typeof input === "object" ? input : {}) as Record<string, unknown>;
  switch (queue) {
    case "train":
      return [
        `${String(i.role ?? "model")} d=${String(i.dimension ?? "?")}`,
        i.role === "student" ? String(i.method ?? "none") : null,
        i.kind === "redistill" ? "redistill" : null,
        i.name ? `“${String(i.name)}”` : null,
      ]
        .filter(Boolean)
        .join(", ");
    case "generate-dataset":
      return `“${String(i.name ?? "")}”, ${String(i.numUsers ?? "?")} users × ${String(i.numItems ?? "?")} items`;
    case "selftest":
      return `${String(i.steps ?? "?")} steps`;
    case "drift-check":
      if (i.kind === "live") return `live traffic of model ${String(i.modelId ?? "?")} (${String(i.trigger ?? "schedule")})`;
      return `dataset ${String(i.currentDatasetId ?? "?")} vs reference ${String(i.referenceDatasetId ?? "?")}${i.redistill === false ? "" : ", redistill on drift"}`;
    case "webhook-deliver":
      return `delivery ${String(i.deliveryId ?? "?")}`;
    case "snapshot-build":
      return `fold live events into ${i.modelId ? `model ${String(i.modelId)}'s` : "the production model's"} dataset`;
    case "redistill":
      return `model ${String(i.modelId ?? "?")} (${String(i.trigger ?? "?")})`;
    case "demo-replay":
      return `demo world at drift phase ${String(i.phase ?? "?")}, ${String(i.newItemFraction ?? "?")} new items, for model ${String(i.modelId ?? "?")}`;
    default:
      return "";
  }
}
