// Notifications end to end: notify() → Alert row + a "webhook-deliver" job run by a real worker against
// a local node:http receiver, signed with HMAC-SHA256 (checked here with node:crypto, independently of
// lib/notifications/signature.ts), retried with pg-boss's backoff after a 500.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBoss } from "@/lib/jobs/boss";
import { createDb } from "@/lib/db/client";
import { createWebhook, listDeliveries } from "@/lib/db/webhooks";
import { notify } from "@/lib/notifications/notify";
import { verifySignature } from "@/lib/notifications/signature";
import { createWebhookBody } from "@/lib/notifications/types";
import { isolatedTestDatabase } from "../helpers/db";
import { startWorkerProcess, waitForJobToFinish, type WorkerProcess } from "../helpers/worker";
import { waitFor } from "../helpers/wait";
import { deadUrl, withReceiver } from "../helpers/webhook-receiver";

const t = isolatedTestDatabase("notify");
let boss: PgBoss;
let worker: WorkerProcess | null = null;

const actor = { id: null, label: "admin@example.com" };
const webhookOf = (name: string, url: string, events: string[]) => createWebhook(createWebhookBody.parse({ name, url, events }), actor, t().db);

beforeAll(async () => {
  boss = createBoss(t().url, { supervise: false, schedule: false, migrate: false, registerInstance: false, max: 2 });
  await boss.start();
  // retries 1–2 s apart (pg-boss's smallest backoff) and at most one: the test waits on rows, never on a clock
  worker = await startWorkerProcess(t().url, { WEBHOOK_RETRY_DELAY_SECONDS: "1", WEBHOOK_RETRY_LIMIT: "1", WEBHOOK_TIMEOUT_MS: "3000" });
});

afterAll(async () => {
  await worker?.stop();
  await boss?.stop({ graceful: false });
});

describe("webhook delivery", () => {
  it("is received with a valid signature after one 500 was answered and the retry succeeded", async () => {
    const { db } = t();
    await withReceiver([500], async (rx) => {
      const { webhook, secret } = await webhookOf("ops channel", rx.url, ["experiment.rolled_back"]);
      expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      expect(webhook).not.toHaveProperty("secret");

      const result = await notify(
        {
          type: "experiment.rolled_back",
          severity: "critical",
          title: "rolled back",
          message: "error rate 10% > 5%",
          experimentId: "exp_1",
          data: { percent: 10 },
        },
        { db, boss },
      );
      expect(result?.deliveries).toHaveLength(1);
      const { deliveryId, jobRunId } = result!.deliveries[0];

      const run = await waitForJobToFinish(db, jobRunId!, { timeoutMs: 60_000 });
      expect(run.status, run.error ?? "").toBe("succeeded");
      expect(run.attempts).toBe(2);

      expect(rx.received.map((r) => r.answered)).toEqual([500, 200]);
      const [first, second] = rx.received;
      // the same bytes and event id on every attempt: receivers deduplicate on the id
      expect(second.body).toBe(first.body);
      expect(second.headers["x-understudy-event-id"]).toBe(result!.alertId);
      expect(first.headers["x-understudy-event-id"]).toBe(result!.alertId);
      expect(second.headers["x-understudy-event"]).toBe("experiment.rolled_back");
      expect(second.headers["content-type"]).toBe("application/json");

      // the signature, checked as a receiver would: HMAC-SHA256 over "<t>.<raw body>" with the secret
      const header = String(second.headers["x-understudy-signature"]);
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
      expect(m, header).not.toBeNull();
      const [, ts, v1] = m!;
      expect(Math.abs(Date.now() / 1000 - Number(ts))).toBeLessThan(300);
      const expected = createHmac("sha256", secret).update(`${ts}.${second.body}`).digest();
      expect(timingSafeEqual(expected, Buffer.from(v1, "hex"))).toBe(true);
      expect(verifySignature(secret, second.body, header)).toBe(true);
      expect(verifySignature(secret, second.body + " ", header)).toBe(false);
      expect(verifySignature("whsec_wrong", second.body, header)).toBe(false);
      // a captured delivery replayed later is refused by the timestamp check
      expect(verifySignature(secret, second.body, header, { now: new Date((Number(ts) + 301) * 1000) })).toBe(false);

      expect(JSON.parse(second.body)).toEqual({
        id: result!.alertId,
        type: "experiment.rolled_back",
        createdAt: expect.any(String),
        severity: "critical",
        title: "rolled back",
        message: "error rate 10% > 5%",
        modelId: null,
        experimentId: "exp_1",
        data: { percent: 10 },
      });

      // the delivery log: both attempts with their status codes and durations
      const [entry] = await listDeliveries(webhook.id, {}, db);
      expect(entry.id).toBe(deliveryId);
      expect(entry.status).toBe("succeeded");
      expect(entry.attempts).toBe(2);
      expect(entry.deliveredAt).not.toBeNull();
      expect(entry.attemptLog.map((a) => [a.attempt, a.statusCode, a.error])).toEqual([
        [1, 500, "HTTP 500"],
        [2, 200, null],
      ]);
      expect(entry.attemptLog[0].responseBody).toBe("receiver down for maintenance");
      expect(entry.attemptLog.every((a) => a.durationMs >= 0)).toBe(true);
      expect(entry.nextRetryAt).toBeNull();
    });
  });

  it("sends only to enabled webhooks subscribed to the type", async () => {
    const { db } = t();
    await withReceiver([], async (rx) => {
      await webhookOf("drift only", rx.url, ["drift.detected"]);
      const off = await webhookOf("disabled", rx.url, ["gate.failed"]);
      await db.webhook.update({ where: { id: off.webhook.id }, data: { enabled: false } });
      const result = await notify({ type: "gate.failed", severity: "warning", title: "gate failed" }, { db, boss });
      expect(result?.created).toBe(true);
      expect(result?.deliveries).toEqual([]);
      expect(await db.alert.count({ where: { id: result!.alertId } })).toBe(1);
    });
  });

  it("one dedupe key is one alert and one delivery, however often notify() is called", async () => {
    const { db } = t();
    await withReceiver([], async (rx) => {
      const { webhook } = await webhookOf("dedupe", rx.url, ["candidate.created"]);
      const input = { type: "candidate.created" as const, severity: "info" as const, title: "candidate", dedupeKey: "candidate:exp_9" };
      const [a, b] = await Promise.all([notify(input, { db, boss }), notify(input, { db, boss })]);
      const again = await notify(input, { db, boss });
      expect(new Set([a?.alertId, b?.alertId, again?.alertId]).size).toBe(1);
      expect([a?.created, b?.created].sort()).toEqual([false, true]);
      expect(again?.created).toBe(false);
      expect(await db.alert.count({ where: { dedupeKey: "candidate:exp_9" } })).toBe(1);
      expect(await db.webhookDelivery.count({ where: { webhookId: webhook.id } })).toBe(1);
      const delivery = await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: webhook.id } });
      await waitForJobToFinish(db, delivery.jobRunId!);
      expect(rx.received).toHaveLength(1);
    });
  });
});

describe("notify() never holds up or breaks the work that raised it", () => {
  it("returns at once when the webhook is down; the delivery fails on its own after its retries", async () => {
    const { db } = t();
    const { webhook } = await webhookOf("down", await deadUrl(), ["guardrail.breached"]);
    const result = await notify({ type: "guardrail.breached", severity: "warning", title: "paused" }, { db, boss });
    // notify only queued the job: nothing has been attempted yet when it returns
    expect(result?.deliveries).toHaveLength(1);
    expect(await db.webhookAttempt.count({ where: { deliveryId: result!.deliveries[0].deliveryId } })).toBe(0);

    const run = await waitForJobToFinish(db, result!.deliveries[0].jobRunId!, { timeoutMs: 60_000 });
    expect(run.status).toBe("failed");
    const [entry] = await listDeliveries(webhook.id, {}, db);
    expect(entry.status).toBe("failed");
    expect(entry.attemptLog).toHaveLength(2);
    expect(entry.attemptLog.every((a) => a.statusCode === null && /ECONNREFUSED/.test(a.error ?? ""))).toBe(true);
  });

  it("shows the next retry while a delivery waits for it", async () => {
    const { db } = t();
    await withReceiver([503], async (rx) => {
      const { webhook } = await webhookOf("flaky", rx.url, ["redistill.started"]);
      const result = await notify({ type: "redistill.started", severity: "info", title: "redistilling" }, { db, boss });
      // pg-boss holds the retry back 1–2 s (backoff with jitter): long enough to see the state the log shows
      const waiting = await waitFor(
        "the delivery to wait for its retry",
        async () => {
          const [entry] = await listDeliveries(webhook.id, {}, db);
          return entry.status === "retrying" && entry.nextRetryAt ? entry : undefined;
        },
        { intervalMs: 50 },
      );
      expect(waiting.attemptLog.map((a) => a.statusCode)).toEqual([503]);
      expect(waiting.lastError).toBe("HTTP 503");
      const delayMs = waiting.nextRetryAt!.getTime() - waiting.attemptLog[0].startedAt.getTime();
      expect(delayMs).toBeGreaterThan(900);
      expect(delayMs).toBeLessThan(2500 + waiting.attemptLog[0].durationMs);
      await waitForJobToFinish(db, result!.deliveries[0].jobRunId!);
      expect(rx.received.map((r) => r.answered)).toEqual([503, 200]);
    });
  });

  it("resolves to null, without throwing, when the database is unreachable", async () => {
    const broken = createDb("postgresql://postgres@127.0.0.1:1/nowhere");
    const errors: string[] = [];
    const started = Date.now();
    const result = await notify(
      { type: "drift.detected", severity: "warning", title: "drift" },
      { db: broken, boss, timeoutMs: 3000, logError: (m) => errors.push(m) },
    );
    expect(result).toBeNull();
    expect(Date.now() - started).toBeLessThan(3500);
    expect(errors.join("\n")).toMatch(/drift\.detected/);
    await broken.$disconnect();
  });

  it("gives up waiting after its timeout when the database hangs, and the alert lands once it is free", async () => {
    const { db } = t();
    const locker = createDb(t().url);
    const errors: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    // another session holds the Alert table: every insert waits behind it
    const tx = locker.$transaction(
      async (client) => {
        await client.$executeRawUnsafe(`LOCK TABLE "Alert" IN ACCESS EXCLUSIVE MODE`);
        locked();
        await held;
      },
      { timeout: 60_000 },
    );
    await isLocked;
    const started = Date.now();
    const result = await notify(
      { type: "gate.passed", severity: "info", title: "stuck behind a lock", dedupeKey: "lock-test" },
      { db, boss, timeoutMs: 500, logError: (m) => errors.push(m) },
    );
    const waited = Date.now() - started;
    expect(result).toBeNull();
    expect(waited).toBeGreaterThanOrEqual(450);
    expect(waited).toBeLessThan(3000);
    expect(errors.join("\n")).toMatch(/still pending after 500 ms/);
    release();
    await tx;
    await locker.$disconnect();
    await waitFor("the alert to be written once the lock is gone", async () => (await db.alert.count({ where: { dedupeKey: "lock-test" } })) === 1);
  });

  it("resolves to null on input that is not a notification (a bug in the caller is logged, not thrown)", async () => {
    const errors: string[] = [];
    const result = await notify({ type: "nope", severity: "info", title: "" } as never, { db: t().db, boss, logError: (m) => errors.push(m) });
    expect(result).toBeNull();
    expect(errors).toHaveLength(1);
  });
});
