// Approval of the production cutover and people's manual actions, against a real database.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useTestDatabase as setupTestDatabase } from "../helpers/db";
import { httpErrorOf } from "@/lib/http/errors";
import { SELF_APPROVAL_MESSAGE, changeExperimentStatus, decideApproval, evaluateExperiment } from "@/lib/services/experiments";
import { driveToAwaitingApproval, endLiveExperiments, seedWorld, startedExperiment, writeHealthyTraffic, type World } from "./rollout-fixtures";

/** what a refused workflow answers over HTTP (its domain error mapped by lib/http) */
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a refusal");
    },
    (error: unknown) => httpErrorOf(error) ?? error,
  );

const t = setupTestDatabase("exp_approval");
const T0 = new Date("2026-04-01T08:00:00Z");
const at = (m: number) => new Date(T0.getTime() + m * 60_000);

let world: World;
beforeAll(async () => {
  world = await seedWorld(t().db);
});
// every test starts from the teacher in production and no live experiment
beforeEach(async () => {
  await endLiveExperiments(t().db);
  await t().db.servingSlot.update({ where: { name: "production" }, data: { modelId: world.teacherId } });
});

describe("production cutover approval", () => {
  const slot = () => t().db.servingSlot.findUniqueOrThrow({ where: { name: "production" } });

  it("refuses people without the approver role", async () => {
    const exp = await driveToAwaitingApproval(t().db, world, T0);
    for (const who of [world.viewer, world.plainEditor]) {
      await expect(refusal(decideApproval(t().db, exp.id, "approved", who, ""))).resolves.toMatchObject({
        status: 403,
        message: `Approving or rejecting a production cutover needs the approver role; you are ${who.role}`,
      });
    }
    expect((await t().db.experiment.findUniqueOrThrow({ where: { id: exp.id } })).status).toBe("awaiting_approval");
  });

  it("refuses self-approval with 403 and a clear message, changing nothing", async () => {
    const exp = await driveToAwaitingApproval(t().db, world, T0);
    const before = await slot();
    await expect(refusal(decideApproval(t().db, exp.id, "approved", world.editor, "ship it"))).resolves.toMatchObject({
      status: 403,
      code: "self_approval",
      message: SELF_APPROVAL_MESSAGE,
    });
    expect(await t().db.approval.count({ where: { experimentId: exp.id } })).toBe(0);
    expect((await t().db.experiment.findUniqueOrThrow({ where: { id: exp.id } })).status).toBe("awaiting_approval");
    expect(await slot()).toEqual(before);
  });

  it("approval by another approver completes the rollout and swaps production atomically, bumping the version", async () => {
    const { db } = t();
    const exp = await driveToAwaitingApproval(db, world, T0);
    const before = await slot();
    expect(before.modelId).toBe(world.teacherId);
    const result = await decideApproval(db, exp.id, "approved", world.approver, "numbers look good", at(10));
    expect(result.slot).toEqual({ modelId: world.studentId, version: before.version + 1 });

    const after = await slot();
    expect(after.modelId).toBe(world.studentId);
    expect(after.version).toBe(before.version + 1);
    const done = await db.experiment.findUniqueOrThrow({ where: { id: exp.id }, include: { stages: { orderBy: { index: "asc" } } } });
    expect(done.status).toBe("completed");
    expect(done.currentStageIndex).toBe(2);
    expect(done.endedAt).toEqual(at(10));
    expect(done.stages.map((s) => s.status)).toEqual(["passed", "passed", "passed"]);
    const approvals = await db.approval.findMany({ where: { experimentId: exp.id } });
    expect(approvals).toEqual([expect.objectContaining({ userId: world.approver.id, decision: "approved", comment: "numbers look good" })]);

    const approve = await db.auditLog.findFirstOrThrow({ where: { entityId: exp.id, action: "experiment.approve" } });
    expect(approve.actorId).toBe(world.approver.id);
    expect(approve.actorLabel).toBe("approver@example.com");
    const cutover = await db.auditLog.findFirstOrThrow({ where: { action: "serving_slot.cutover", entityId: "production" } });
    expect(cutover.actorLabel).toBe("approver@example.com");
    expect((cutover.data as { experimentId: string }).experimentId).toBe(exp.id);
    const data = approve.data as { cutover: { from: { modelId: string; version: number }; to: { modelId: string; version: number } }; numbers: unknown };
    expect(data.cutover).toEqual({
      from: { modelId: world.teacherId, version: before.version },
      to: { modelId: world.studentId, version: before.version + 1 },
    });
    expect(data.numbers).toMatchObject({ action: "await_approval" });

    // a second decision is refused: the experiment is no longer awaiting approval
    await expect(refusal(decideApproval(db, exp.id, "approved", world.approver2, ""))).resolves.toMatchObject({ status: 409 });
    expect((await slot()).version).toBe(before.version + 1);
  });

  it("is all-or-nothing: a failure inside the transaction leaves production, status and approvals untouched", async () => {
    const { db } = t();
    const exp = await driveToAwaitingApproval(db, world, T0);
    const before = await slot();
    // make the last write of the transaction (the cutover audit row) fail
    await db.$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION refuse_cutover_audit() RETURNS trigger AS $$
      BEGIN IF NEW."action" = 'serving_slot.cutover' THEN RAISE EXCEPTION 'audit store unavailable'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await db.$executeRawUnsafe(`CREATE TRIGGER refuse_cutover_audit BEFORE INSERT ON "AuditLog" FOR EACH ROW EXECUTE FUNCTION refuse_cutover_audit()`);
    try {
      await expect(decideApproval(db, exp.id, "approved", world.approver, "")).rejects.toThrow(/audit store unavailable/);
    } finally {
      await db.$executeRawUnsafe(`DROP TRIGGER refuse_cutover_audit ON "AuditLog"`);
    }
    expect(await slot()).toEqual(before);
    expect((await db.experiment.findUniqueOrThrow({ where: { id: exp.id } })).status).toBe("awaiting_approval");
    expect(await db.approval.count({ where: { experimentId: exp.id } })).toBe(0);
    expect(await db.auditLog.count({ where: { entityId: exp.id, action: "experiment.approve" } })).toBe(0);
  });

  it("two approvers at once: one cutover, one version bump", async () => {
    const { db } = t();
    const exp = await driveToAwaitingApproval(db, world, T0);
    const before = await slot();
    const results = await Promise.allSettled([
      decideApproval(db, exp.id, "approved", world.approver, "a"),
      decideApproval(db, exp.id, "approved", world.approver2, "b"),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect((await slot()).version).toBe(before.version + 1);
    expect(await db.approval.count({ where: { experimentId: exp.id } })).toBe(1);
  });

  it("rejection needs a comment and rolls the candidate back, production unchanged", async () => {
    const { db } = t();
    const exp = await driveToAwaitingApproval(db, world, T0);
    const before = await slot();
    await expect(refusal(decideApproval(db, exp.id, "rejected", world.approver, " "))).resolves.toMatchObject({
      status: 400,
      details: { issues: [{ path: "comment", message: "say why you reject the cutover" }] },
    });
    await decideApproval(db, exp.id, "rejected", world.approver, "revenue CI too wide");
    expect((await db.experiment.findUniqueOrThrow({ where: { id: exp.id } })).status).toBe("rolled_back");
    expect(await slot()).toEqual(before);
    const audit = await db.auditLog.findFirstOrThrow({ where: { entityId: exp.id, action: "experiment.reject" } });
    expect(audit.reason).toBe("revenue CI too wide");
    expect(audit.actorLabel).toBe("approver@example.com");
  });

  it("cannot approve before the scheduler asks for it", async () => {
    const exp = await startedExperiment(t().db, world, { kpis: ["ctr"] }, T0);
    await expect(refusal(decideApproval(t().db, exp.id, "approved", world.approver, ""))).resolves.toMatchObject({
      status: 409,
      message: expect.stringMatching(/cannot approve an experiment that is running/),
    });
  });
});

describe("manual pause, resume and rollback", () => {
  it("needs editor+ and a reason, and audits actor, reason and the latest numbers", async () => {
    const { db } = t();
    const exp = await startedExperiment(db, world, { kpis: ["ctr"], minStageExposures: 10_000 }, T0);
    await writeHealthyTraffic(db, world, exp.id, 10, at(1), "man");
    expect((await evaluateExperiment(db, exp.id, at(2)))?.decision.action).toBe("hold");

    await expect(refusal(changeExperimentStatus(db, exp.id, "pause", world.viewer, "because"))).resolves.toMatchObject({ status: 403 });
    await expect(refusal(changeExperimentStatus(db, exp.id, "pause", world.plainEditor, ""))).resolves.toMatchObject({
      status: 400,
      details: { issues: [{ path: "reason", message: "say why you pause (recorded in the audit log)" }] },
    });
    await changeExperimentStatus(db, exp.id, "pause", world.plainEditor, "investigating a latency report", at(3));
    const paused = await db.auditLog.findFirstOrThrow({ where: { entityId: exp.id, action: "experiment.pause" } });
    expect(paused.actorLabel).toBe("plain-editor@example.com");
    expect(paused.reason).toBe("investigating a latency report");
    expect((paused.data as { numbers: { action: string } }).numbers.action).toBe("hold");
    expect((paused.data as { numbers: { report?: unknown } }).numbers.report).toBeUndefined();

    // resuming restarts the stage window, so pre-pause data is not judged again
    await changeExperimentStatus(db, exp.id, "resume", world.plainEditor, "false alarm", at(20));
    const stage = await db.rolloutStage.findUniqueOrThrow({ where: { experimentId_index: { experimentId: exp.id, index: 0 } } });
    expect(stage.status).toBe("active");
    expect(stage.startedAt).toEqual(at(20));

    await expect(refusal(changeExperimentStatus(db, exp.id, "resume", world.plainEditor, "again"))).resolves.toMatchObject({ status: 409 });
    await changeExperimentStatus(db, exp.id, "rollback", world.plainEditor, "product decision", at(21));
    const done = await db.experiment.findUniqueOrThrow({ where: { id: exp.id } });
    expect(done.status).toBe("rolled_back");
    expect(done.endedAt).toEqual(at(21));
    const actions = (await db.auditLog.findMany({ where: { entityId: exp.id }, orderBy: { id: "asc" } })).map((a) => `${a.action}:${a.actorLabel}`);
    expect(actions).toEqual([
      "experiment.create:creator@example.com",
      "experiment.start:creator@example.com",
      "experiment.pause:plain-editor@example.com",
      "experiment.resume:plain-editor@example.com",
      "experiment.rollback:plain-editor@example.com",
    ]);
  });

  it("refuses to start a second experiment while one is live", async () => {
    const { db } = t();
    await startedExperiment(db, world, { kpis: ["ctr"] }, T0);
    await expect(refusal(startedExperiment(db, world, { kpis: ["ctr"] }, T0))).resolves.toMatchObject({
      status: 409,
      message: expect.stringMatching(/is running: finish or roll it back first/),
    });
  });
});
