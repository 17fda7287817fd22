// Experiment workflows: creation, the scheduler's decisions and people's actions. Every state
// change happens in ONE transaction together with its RolloutStage rows and its AuditLog row, after
// locking the experiment row (SELECT … FOR UPDATE), so the scheduler and a person (or two schedulers)
// can never both act on the same state.
import { randomBytes } from "node:crypto";
import type { Prisma } from "@/lib/db/generated/client";
import type { Db } from "@/lib/db/client";
import { recordAudit, type AuditActor } from "@/lib/db/audit";
import { loadExperimentReport } from "@/lib/db/reports";
import { ConflictError, FieldError, ForbiddenError, NotFoundError } from "@/lib/errors";
import { storeExperimentMetrics } from "@/lib/db/metrics";
import { hasRole, type Role } from "@/lib/auth/roles";
import type { ExperimentConfig } from "@/lib/experiments/config";
import type { ExperimentReport } from "@/lib/experiments/report";
import { parseGuardrails } from "@/lib/experiments/config";
import { IN_PROGRESS_STATUSES, LIVE_STATUSES, isLive } from "@/lib/experiments/statuses";
import { cutoverBlock } from "@/lib/experiments/approval";
import { decideRollout, manualTransition, type ExperimentStatus, type ManualAction, type RolloutDecision } from "@/lib/experiments/rollout";
import { PRODUCTION_SLOT } from "@/lib/db/serving";

const SCHEDULER: AuditActor = { id: null, label: "scheduler" };

/** Who is acting: a signed-in person (from requireRole) or the scheduler. */
export interface Person {
  id: string;
  email: string;
  role: Role;
}

const personActor = (p: Person): AuditActor => ({ id: p.id, label: p.email });

type Tx = Prisma.TransactionClient;

async function lockExperiment(tx: Tx, id: string) {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "Experiment" WHERE "id" = ${id} FOR UPDATE`;
  if (locked.length === 0) throw new NotFoundError("No such experiment");
  return tx.experiment.findUniqueOrThrow({
    where: { id },
    include: { variants: true, stages: { orderBy: { index: "asc" } } },
  });
}

// ---------- create ----------

/**
 * Creates a draft experiment with its two arms and one pending RolloutStage per ramp step. The control
 * defaults to the model in the production slot. Bad model choices are 400s naming the field.
 */
export async function createExperiment(db: Db, cfg: ExperimentConfig, creator: Person) {
  if (!hasRole(creator.role, "editor")) throw new ForbiddenError(`Creating experiments needs the editor role; you are ${creator.role}`);
  const slot = await db.servingSlot.findUnique({ where: { name: PRODUCTION_SLOT } });
  const controlModelId = cfg.controlModelId ?? slot?.modelId;
  if (!controlModelId) throw new FieldError("controlModelId", "no model serves production yet: choose the control model");
  if (controlModelId === cfg.candidateModelId) throw new FieldError("candidateModelId", "must differ from the control model (the production model)");
  const models = await db.model.findMany({ where: { id: { in: [controlModelId, cfg.candidateModelId] } }, select: { id: true, archivedAt: true } });
  if (!models.some((m) => m.id === controlModelId)) throw new FieldError("controlModelId", "no such model");
  if (!models.some((m) => m.id === cfg.candidateModelId)) throw new FieldError("candidateModelId", "no such model");
  if (models.find((m) => m.id === cfg.candidateModelId)?.archivedAt) throw new FieldError("candidateModelId", "this model is archived: restore it first");

  return db.$transaction(async (tx) => {
    const exp = await tx.experiment.create({
      data: {
        name: cfg.name,
        description: cfg.description,
        salt: randomBytes(12).toString("hex"),
        rampSchedule: cfg.rampSchedule,
        minStageMinutes: cfg.minStageMinutes,
        minStageExposures: cfg.minStageExposures,
        guardrails: cfg.guardrails as unknown as Prisma.InputJsonValue,
        kpis: cfg.kpis,
        createdById: creator.id,
        variants: {
          create: [
            { key: "control", modelId: controlModelId },
            { key: "candidate", modelId: cfg.candidateModelId },
          ],
        },
        stages: { create: cfg.rampSchedule.map((percent, index) => ({ index, percent })) },
      },
    });
    if (cfg.metrics?.length) await storeExperimentMetrics(tx, exp.id, cfg.metrics);
    await recordAudit(
      {
        actor: personActor(creator),
        action: "experiment.create",
        entityType: "experiment",
        entityId: exp.id,
        reason: "",
        data: {
          controlModelId,
          candidateModelId: cfg.candidateModelId,
          rampSchedule: cfg.rampSchedule,
          guardrails: cfg.guardrails as unknown as Prisma.InputJsonValue,
          ...(cfg.metrics?.length ? { metrics: cfg.metrics } : {}),
        },
      },
      tx,
    );
    return exp;
  });
}

// ---------- the scheduler ----------

export type ApplyOutcome = { applied: true; decision: RolloutDecision } | { applied: false; decision: RolloutDecision; why: string };

/**
 * Applies a scheduler decision in one transaction, provided the experiment is still in the state the
 * decision was computed from (otherwise a person or another scheduler acted meanwhile: nothing is done).
 * A hold only records the numbers on the stage; every other action also writes an AuditLog row.
 */
export async function applyRolloutDecision(
  db: Db,
  experimentId: string,
  decision: RolloutDecision,
  now: Date,
  /** the report the decision was made on, kept on the stage so the dashboard need not recompute it */
  report?: ExperimentReport,
): Promise<ApplyOutcome> {
  return db.$transaction(async (tx) => {
    const exp = await lockExperiment(tx, experimentId);
    if (exp.status !== decision.from.status || exp.currentStageIndex !== decision.from.stageIndex) {
      return { applied: false, decision, why: `state changed meanwhile (now ${exp.status} at stage ${exp.currentStageIndex})` };
    }
    const stageIndex = decision.from.stageIndex;
    const lastDecision = {
      action: decision.action,
      reason: decision.reason,
      at: now.toISOString(),
      numbers: decision.numbers,
      ...(report ? { report } : {}),
    } as unknown as Prisma.InputJsonValue;
    const stageWhere = { experimentId_index: { experimentId, index: stageIndex } };

    switch (decision.action) {
      case "hold":
        await tx.rolloutStage.update({ where: stageWhere, data: { lastDecision } });
        return { applied: true, decision };
      case "advance":
        await tx.rolloutStage.update({ where: stageWhere, data: { status: "passed", endedAt: now, lastDecision } });
        await tx.rolloutStage.update({
          where: { experimentId_index: { experimentId, index: decision.to.stageIndex } },
          data: { status: "active", startedAt: now, endedAt: null },
        });
        await tx.experiment.update({ where: { id: experimentId }, data: { currentStageIndex: decision.to.stageIndex } });
        break;
      case "await_approval":
        await tx.rolloutStage.update({ where: stageWhere, data: { lastDecision } });
        await tx.experiment.update({ where: { id: experimentId }, data: { status: "awaiting_approval" } });
        break;
      case "pause":
        await tx.rolloutStage.update({ where: stageWhere, data: { status: "paused", lastDecision } });
        await tx.experiment.update({ where: { id: experimentId }, data: { status: "paused" } });
        break;
      case "rollback":
        await tx.rolloutStage.update({ where: stageWhere, data: { status: "rolled_back", endedAt: now, lastDecision } });
        await tx.experiment.update({ where: { id: experimentId }, data: { status: "rolled_back", endedAt: now } });
        break;
    }
    await recordAudit(
      {
        actor: SCHEDULER,
        action: `experiment.${decision.action}`,
        entityType: "experiment",
        entityId: experimentId,
        reason: decision.reason,
        data: { from: decision.from, to: decision.to, numbers: decision.numbers } as unknown as Prisma.InputJsonValue,
      },
      tx,
    );
    return { applied: true, decision };
  });
}

/** Evaluates one live experiment now: report over its current stage → decision → applied. */
export async function evaluateExperiment(db: Db, experimentId: string, now: Date = new Date()): Promise<ApplyOutcome | null> {
  const exp = await db.experiment.findUnique({ where: { id: experimentId } });
  if (!exp || !isLive(exp.status)) return null;
  const loaded = await loadExperimentReport(db, experimentId, { kind: "current" }, now);
  if (!loaded || !loaded.stage) return null;
  const decision = decideRollout({
    state: {
      status: exp.status as ExperimentStatus,
      rampSchedule: exp.rampSchedule,
      currentStageIndex: exp.currentStageIndex,
      minStageMinutes: exp.minStageMinutes,
      minStageExposures: exp.minStageExposures,
      guardrails: parseGuardrails(exp.guardrails),
    },
    stage: { index: loaded.stage.index, percent: loaded.stage.percent, startedAt: loaded.stage.startedAt },
    report: loaded.report,
    now,
  });
  return applyRolloutDecision(db, experimentId, decision, now, loaded.report);
}

/**
 * The scheduled job's work: evaluate every live experiment; one failing does not stop the others.
 * `onApplied` runs after each decision that changed something (the job raises notifications there).
 */
export async function evaluateLiveExperiments(
  db: Db,
  now: Date = new Date(),
  onApplied?: (experimentId: string, decision: RolloutDecision) => Promise<unknown>,
) {
  const live = await db.experiment.findMany({
    where: { status: { in: [...LIVE_STATUSES] } },
    select: { id: true },
    orderBy: { startedAt: "asc" },
  });
  const results: { experimentId: string; action?: string; applied?: boolean; reason?: string; error?: string }[] = [];
  for (const { id } of live) {
    try {
      const outcome = await evaluateExperiment(db, id, now);
      if (outcome) results.push({ experimentId: id, action: outcome.decision.action, applied: outcome.applied, reason: outcome.decision.reason });
      if (outcome?.applied && outcome.decision.action !== "hold" && onApplied) {
        // the decision stands whatever its follow-up does
        await onApplied(id, outcome.decision).catch((err: unknown) => console.error(`[rollout] experiment ${id}: after ${outcome.decision.action}:`, err));
      }
    } catch (error) {
      results.push({ experimentId: id, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return results;
}

// ---------- people's actions ----------

function assertTransition(status: string, action: ManualAction): ExperimentStatus {
  const t = manualTransition(status as ExperimentStatus, action);
  if (!t.ok) throw new ConflictError(t.message);
  return t.to;
}

function requireReason(reason: string | undefined, action: string): string {
  const r = (reason ?? "").trim();
  if (r.length === 0) throw new FieldError("reason", `say why you ${action} (recorded in the audit log)`);
  return r;
}

/** The numbers behind a person's action: the scheduler's latest evaluation of the current stage (without the full report). */
function latestNumbers(exp: { stages: { index: number; lastDecision: Prisma.JsonValue }[]; currentStageIndex: number }) {
  const last = exp.stages.find((s) => s.index === exp.currentStageIndex)?.lastDecision;
  if (!last || typeof last !== "object" || Array.isArray(last)) return null;
  const numbers: Record<string, unknown> = { ...last };
  delete numbers.report;
  return numbers as Prisma.InputJsonValue;
}

/**
 * Starts a draft: stage 1 becomes active now. Refused when another experiment is live (serving runs one
 * at a time) or when the control is no longer the production model. With no production slot yet, the
 * control model becomes production.
 */
export async function startExperiment(db: Db, experimentId: string, person: Person, reason = "", now = new Date()) {
  if (!hasRole(person.role, "editor")) throw new ForbiddenError(`Starting an experiment needs the editor role; you are ${person.role}`);
  return db.$transaction(async (tx) => {
    const exp = await lockExperiment(tx, experimentId);
    const to = assertTransition(exp.status, "start");
    const other = await tx.experiment.findFirst({
      where: { id: { not: exp.id }, status: { in: [...IN_PROGRESS_STATUSES] } },
      select: { id: true, name: true, status: true },
    });
    if (other)
      throw new ConflictError(`Experiment "${other.name}" is ${other.status.replace("_", " ")}: finish or roll it back first (one experiment at a time)`);
    const control = exp.variants.find((v) => v.key === "control");
    if (!control) throw new ConflictError("The experiment has no control arm");
    const slot = await tx.servingSlot.findUnique({ where: { name: PRODUCTION_SLOT } });
    if (slot && slot.modelId !== control.modelId) {
      throw new ConflictError("The control model is no longer the production model: create a new experiment against the current production model");
    }
    if (!slot) await tx.servingSlot.create({ data: { name: PRODUCTION_SLOT, modelId: control.modelId } });
    await tx.experiment.update({ where: { id: exp.id }, data: { status: to, currentStageIndex: 0, startedAt: now } });
    await tx.rolloutStage.update({
      where: { experimentId_index: { experimentId: exp.id, index: 0 } },
      data: { status: "active", startedAt: now },
    });
    await recordAudit(
      {
        actor: personActor(person),
        action: "experiment.start",
        entityType: "experiment",
        entityId: exp.id,
        reason: reason.trim(),
        data: { to: { status: to, stageIndex: 0, percent: exp.rampSchedule[0] }, productionSlotCreated: !slot },
      },
      tx,
    );
    return { status: to };
  });
}

/** Pause (candidate share drops to 0, serving falls back to production), resume or roll back, by an editor+ with a reason. */
export async function changeExperimentStatus(
  db: Db,
  experimentId: string,
  action: "pause" | "resume" | "rollback" | "cancel",
  person: Person,
  reason: string | undefined,
  now = new Date(),
) {
  if (!hasRole(person.role, "editor")) throw new ForbiddenError(`This needs the editor role; you are ${person.role}`);
  const why = requireReason(reason, action);
  return db.$transaction(async (tx) => {
    const exp = await lockExperiment(tx, experimentId);
    const to = assertTransition(exp.status, action);
    const stageWhere = { experimentId_index: { experimentId: exp.id, index: exp.currentStageIndex } };
    const numbers = latestNumbers(exp);
    if (action === "pause") {
      await tx.rolloutStage.update({ where: stageWhere, data: { status: "paused" } });
    } else if (action === "resume") {
      // a fresh window: data from before the pause (possibly the breach that caused it) is not judged again
      await tx.rolloutStage.update({ where: stageWhere, data: { status: "active", startedAt: now, endedAt: null } });
    } else if (action === "rollback") {
      await tx.rolloutStage.update({ where: stageWhere, data: { status: "rolled_back", endedAt: now } });
    }
    await tx.experiment.update({
      where: { id: exp.id },
      data: { status: to, ...(to === "rolled_back" || to === "cancelled" ? { endedAt: now } : {}) },
    });
    await recordAudit(
      {
        actor: personActor(person),
        action: `experiment.${action}`,
        entityType: "experiment",
        entityId: exp.id,
        reason: why,
        data: {
          from: { status: exp.status, stageIndex: exp.currentStageIndex },
          to: { status: to, stageIndex: exp.currentStageIndex },
          numbers,
        } as unknown as Prisma.InputJsonValue,
      },
      tx,
    );
    return { status: to };
  });
}

export const SELF_APPROVAL_MESSAGE = "You created this experiment: its production cutover must be approved by a different approver (four-eyes rule)";

/**
 * Approves the production cutover: in ONE transaction the experiment completes at 100%, the production
 * serving slot switches to the candidate model and its version is bumped (serving processes hot-swap on
 * the version change), and the Approval and AuditLog rows are written.
 * Rejecting rolls the candidate back to 0% (production stays on the control model).
 */
export async function decideApproval(
  db: Db,
  experimentId: string,
  decision: "approved" | "rejected",
  person: Person,
  comment: string | undefined,
  now = new Date(),
) {
  if (cutoverBlock(person) === "needs_approver") {
    throw new ForbiddenError(`Approving or rejecting a production cutover needs the approver role; you are ${person.role}`);
  }
  const note = (comment ?? "").trim();
  if (decision === "rejected" && note.length === 0) {
    throw new FieldError("comment", "say why you reject the cutover");
  }
  return db.$transaction(async (tx) => {
    const exp = await lockExperiment(tx, experimentId);
    if (cutoverBlock(person, exp.createdById) === "own_experiment") {
      throw new ForbiddenError(
        decision === "approved" ? SELF_APPROVAL_MESSAGE : "You created this experiment: another approver decides on its cutover (you can roll it back instead)",
        "self_approval",
      );
    }
    const to = assertTransition(exp.status, decision === "approved" ? "approve" : "reject");
    const numbers = latestNumbers(exp);
    const last = exp.rampSchedule.length - 1;
    const approval = await tx.approval.create({ data: { experimentId: exp.id, userId: person.id, decision, comment: note } });

    if (decision === "rejected") {
      await tx.rolloutStage.update({
        where: { experimentId_index: { experimentId: exp.id, index: exp.currentStageIndex } },
        data: { status: "rolled_back", endedAt: now },
      });
      await tx.experiment.update({ where: { id: exp.id }, data: { status: to, endedAt: now } });
      await recordAudit(
        {
          actor: personActor(person),
          action: "experiment.reject",
          entityType: "experiment",
          entityId: exp.id,
          reason: note,
          data: {
            approvalId: approval.id,
            from: { status: exp.status, stageIndex: exp.currentStageIndex },
            to: { status: to },
            numbers,
          } as unknown as Prisma.InputJsonValue,
        },
        tx,
      );
      return { status: to, approvalId: approval.id, slot: null };
    }

    const candidate = exp.variants.find((v) => v.key === "candidate");
    if (!candidate) throw new ConflictError("The experiment has no candidate arm");
    const before = await tx.servingSlot.findUnique({ where: { name: PRODUCTION_SLOT } });
    const slot = before
      ? await tx.servingSlot.update({ where: { name: PRODUCTION_SLOT }, data: { modelId: candidate.modelId, version: { increment: 1 } } })
      : await tx.servingSlot.create({ data: { name: PRODUCTION_SLOT, modelId: candidate.modelId } });
    await tx.rolloutStage.update({
      where: { experimentId_index: { experimentId: exp.id, index: exp.currentStageIndex } },
      data: { status: "passed", endedAt: now },
    });
    await tx.rolloutStage.update({
      where: { experimentId_index: { experimentId: exp.id, index: last } },
      data: { status: "passed", startedAt: now, endedAt: now },
    });
    await tx.experiment.update({ where: { id: exp.id }, data: { status: to, currentStageIndex: last, endedAt: now } });
    const cutover = {
      from: { modelId: before?.modelId ?? null, version: before?.version ?? null },
      to: { modelId: slot.modelId, version: slot.version },
    };
    await recordAudit(
      {
        actor: personActor(person),
        action: "experiment.approve",
        entityType: "experiment",
        entityId: exp.id,
        reason: note,
        data: { approvalId: approval.id, cutover, numbers } as unknown as Prisma.InputJsonValue,
      },
      tx,
    );
    await recordAudit(
      {
        actor: personActor(person),
        action: "serving_slot.cutover",
        entityType: "serving_slot",
        entityId: PRODUCTION_SLOT,
        reason: `experiment ${exp.name} (${exp.id}) approved`,
        data: { experimentId: exp.id, ...cutover },
      },
      tx,
    );
    return { status: to, approvalId: approval.id, slot: { modelId: slot.modelId, version: slot.version } };
  });
}
