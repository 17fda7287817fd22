// The rollout evaluation, run by a real worker, raises alerts for the decisions it applies; a webhook that
// is down changes nothing about the decision.
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createBoss } from "@/lib/jobs/boss";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { createWebhook } from "@/lib/db/webhooks";
import { acknowledgeAlert, listAlerts } from "@/lib/db/alerts";
import { changeExperimentStatus } from "@/lib/services/experiments";
import type { RolloutDecision } from "@/lib/experiments/rollout";
import { notifyPersonAction, personActionNotification, rolloutNotification } from "@/lib/notifications/experiments";
import { createWebhookBody } from "@/lib/notifications/types";
import { isolatedTestDatabase } from "../helpers/db";
import { deadUrl } from "../helpers/webhook-receiver";
import { startWorkerProcess, waitForJobToFinish, type WorkerProcess } from "../helpers/worker";
import { endLiveExperiments, seedWorld, startedExperiment, writeTraffic, type World } from "../experiments/rollout-fixtures";

const t = isolatedTestDatabase("notify_rollout");
let boss: PgBoss;
let worker: WorkerProcess | null = null;
let world: World;

beforeAll(async () => {
  boss = createBoss(t().url, { supervise: false, schedule: false, migrate: false, registerInstance: false, max: 2 });
  await boss.start();
  world = await seedWorld(t().db);
});

afterAll(async () => {
  await worker?.stop();
  await boss?.stop({ graceful: false });
});

beforeEach(async () => {
  await endLiveExperiments(t().db);
});

/** Stage 0 at 10% with a candidate failing one request in ten: a severe error-rate breach. */
async function failingExperiment(name: string) {
  const { db } = t();
  const now = Date.now();
  const exp = await startedExperiment(db, world, { name, kpis: ["ctr"] }, new Date(now - 120_000));
  const common = { experimentId: exp.id, requestsPerUser: 2, clickEvery: 5, latencyUs: 2000, at: new Date(now - 60_000) };
  await writeTraffic(db, { ...common, variant: "candidate", modelId: world.studentId, userPrefix: `${exp.id}-c-`, users: 200, failEvery: 10 });
  await writeTraffic(db, { ...common, variant: "control", modelId: world.teacherId, userPrefix: `${exp.id}-k-`, users: 1800 });
  return exp;
}

describe("rollout decisions raise alerts", () => {
  it("a rollback by the scheduler raises a critical alert, and a dead webhook does not stop the rollback", async () => {
    const { db } = t();
    const { webhook } = await createWebhook(
      createWebhookBody.parse({ name: "pager", url: await deadUrl(), events: ["experiment.rolled_back"] }),
      { label: "admin" },
      db,
    );
    const exp = await failingExperiment("failing candidate");
    worker = await startWorkerProcess(t().url, { WEBHOOK_RETRY_DELAY_SECONDS: "1", WEBHOOK_RETRY_LIMIT: "0" });

    const run = await enqueueJob({ queue: "rollout-evaluate", input: {} }, { db, boss });
    const done = await waitForJobToFinish(db, run.id);
    expect(done.status, done.error ?? "").toBe("succeeded");
    expect(done.result).toMatchObject({ results: [{ experimentId: exp.id, action: "rollback", applied: true }] });
    expect((await db.experiment.findUniqueOrThrow({ where: { id: exp.id } })).status).toBe("rolled_back");

    const alerts = await db.alert.findMany({ where: { experimentId: exp.id } });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ type: "experiment.rolled_back", severity: "critical", modelId: world.studentId, acknowledgedAt: null });
    expect(alerts[0].title).toBe('"failing candidate" rolled back at 10%');
    expect(alerts[0].message).toMatch(/error rate 10\.00% > severe threshold 5\.00%/);
    expect(alerts[0].data).toMatchObject({ by: "scheduler", action: "rollback", guardrailBreached: true });

    // the Overview's list links the alert to the experiment and the candidate model by name
    const [listed] = await listAlerts({ unacknowledgedOnly: true }, db);
    expect(listed.id).toBe(alerts[0].id);
    expect(listed.experiment).toEqual({ id: exp.id, name: "failing candidate" });
    expect(listed.model).toEqual({ id: world.studentId, name: "student" });

    // the webhook's delivery was queued and failed on its own
    const delivery = await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: webhook.id, alertId: alerts[0].id } });
    const deliveryRun = await waitForJobToFinish(db, delivery.jobRunId!);
    expect(deliveryRun.status).toBe("failed");
    expect((await db.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).status).toBe("failed");

    // acknowledged: off the Overview's list, kept in the table, audited
    const ack = await acknowledgeAlert(alerts[0].id, { id: world.plainEditor.id, label: world.plainEditor.email }, db);
    expect(ack.acknowledgedByLabel).toBe(world.plainEditor.email);
    expect((await listAlerts({ unacknowledgedOnly: true }, db)).map((a) => a.id)).not.toContain(alerts[0].id);
    expect(await db.auditLog.count({ where: { action: "alert.acknowledged", entityId: alerts[0].id } })).toBe(1);
  });

  it("a person's rollback raises a warning naming them and their reason", async () => {
    const { db } = t();
    const exp = await startedExperiment(db, world, { name: "manual", kpis: ["ctr"] });
    await changeExperimentStatus(db, exp.id, "rollback", world.plainEditor, "CTR looks off");
    const result = await notifyPersonAction(db, exp.id, "rollback", world.plainEditor.email, "CTR looks off", { boss });
    const alert = await db.alert.findUniqueOrThrow({ where: { id: result!.alertId } });
    expect(alert).toMatchObject({
      type: "experiment.rolled_back",
      severity: "warning",
      experimentId: exp.id,
      title: `"manual" rolled back by ${world.plainEditor.email}`,
    });
    expect(alert.message).toMatch(/Reason: CTR looks off/);
  });
});

describe("which decisions notify (pure)", () => {
  const exp = { id: "e1", name: "E", candidateModelId: "m1" };
  const decision = (action: RolloutDecision["action"]): RolloutDecision => ({
    action,
    reason: "latency p95 12 ms > 10 ms",
    from: { status: "running", stageIndex: 1, percent: 20 },
    to: { status: action === "pause" ? "paused" : "running", stageIndex: 1, percent: 20 },
    numbers: {
      stage: { index: 1, percent: 20, startedAt: "", minutes: 5 },
      exposures: { control: 1, candidate: 1 },
      users: { control: 1, candidate: 1 },
      srmPValue: null,
      errorRate: { control: null, candidate: null },
      latencyP95Ms: { control: null, candidate: null },
      kpis: {},
      checks: [],
    },
  });

  it("maps pause to guardrail.breached, rollback to experiment.rolled_back, await_approval to its type; advance and hold to nothing", () => {
    expect(rolloutNotification(exp, decision("pause"))).toMatchObject({
      type: "guardrail.breached",
      severity: "warning",
      experimentId: "e1",
      modelId: "m1",
      title: 'Guardrail breached: "E" paused at 20%',
    });
    expect(rolloutNotification(exp, decision("rollback"))).toMatchObject({ type: "experiment.rolled_back", severity: "critical" });
    expect(rolloutNotification(exp, decision("await_approval"))).toMatchObject({ type: "experiment.awaiting_approval", severity: "info" });
    expect(rolloutNotification(exp, decision("advance"))).toBeNull();
    expect(rolloutNotification(exp, decision("hold"))).toBeNull();
  });

  it("a person's pause is info, a rejection is a rollback", () => {
    expect(personActionNotification(exp, "pause", "a@b.c", "")).toMatchObject({ type: "experiment.paused", severity: "info" });
    expect(personActionNotification(exp, "reject", "a@b.c", "no")).toMatchObject({ type: "experiment.rolled_back", title: '"E" cutover rejected by a@b.c' });
  });
});
