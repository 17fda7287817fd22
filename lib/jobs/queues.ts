/** Every background queue. Each has a definition in lib/jobs/definitions.ts and a handler in jobs/registry.ts. */
export const QUEUES = {
  selftest: "selftest",
  train: "train",
  generateDataset: "generate-dataset",
  rolloutEvaluate: "rollout-evaluate",
  driftCheck: "drift-check",
  webhookDeliver: "webhook-deliver",
  snapshotBuild: "snapshot-build",
  redistill: "redistill",
  importDataset: "import-dataset",
  authHousekeeping: "auth-housekeeping",
  compareModels: "compare-models",
  distillationSignals: "distillation-signals",
  demoReplay: "demo-replay",
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const QUEUE_NAMES = Object.values(QUEUES) as [QueueName, ...QueueName[]];
