// Experiment events as notifications: the scheduler's decisions (guardrail pause, rollback, cutover
// waiting for approval) and people's pauses and rollbacks. The builders are pure; the notify* helpers
// look up the names for the message and call notify(), and like it they never throw.
import type { Db } from "@/lib/db/client";
import type { RolloutDecision } from "@/lib/experiments/rollout";
import { notify, type NotifyDeps, type NotifyResult } from "./notify";
import type { NotificationInput } from "./types";

export interface ExperimentRef {
  id: string;
  name: string;
  /** the candidate arm's model (what the alert links to besides the experiment) */
  candidateModelId: string | null;
}

const pct = (p: number) => `${p}%`;

/** The notification a scheduler decision raises, or null (advance and hold raise none). */
export function rolloutNotification(exp: ExperimentRef, d: RolloutDecision): NotificationInput | null {
  const common = {
    experimentId: exp.id,
    ...(exp.candidateModelId ? { modelId: exp.candidateModelId } : {}),
    data: { by: "scheduler", action: d.action, from: d.from, to: d.to, checks: d.numbers.checks, stage: d.numbers.stage },
  };
  switch (d.action) {
    case "pause":
      return {
        ...common,
        type: "guardrail.breached",
        severity: "warning",
        title: `Guardrail breached: "${exp.name}" paused at ${pct(d.from.percent)}`,
        message: `${d.reason}. Everyone is served the production model until a person resumes or rolls back the experiment.`,
      };
    case "rollback":
      return {
        ...common,
        type: "experiment.rolled_back",
        severity: "critical",
        title: `"${exp.name}" rolled back at ${pct(d.from.percent)}`,
        message: `${d.reason}. The candidate no longer receives traffic; production is unchanged.`,
        data: { ...common.data, guardrailBreached: true },
      };
    case "await_approval":
      return {
        ...common,
        type: "experiment.awaiting_approval",
        severity: "info",
        title: `"${exp.name}" passed its stages: cutover awaits approval`,
        message: `${d.reason}. An approver other than the creator can approve the production cutover.`,
      };
    default:
      return null;
  }
}

export type PersonAction = "pause" | "rollback" | "reject";

/** What a person's pause, rollback or rejection raises. */
export function personActionNotification(exp: ExperimentRef, action: PersonAction, actorLabel: string, reason: string): NotificationInput {
  const common = {
    experimentId: exp.id,
    ...(exp.candidateModelId ? { modelId: exp.candidateModelId } : {}),
    data: { by: actorLabel, action },
  };
  const why = reason.trim() ? ` Reason: ${reason.trim()}` : "";
  if (action === "pause") {
    return {
      ...common,
      type: "experiment.paused",
      severity: "info",
      title: `"${exp.name}" paused by ${actorLabel}`,
      message: `Everyone is served the production model until it is resumed.${why}`,
    };
  }
  return {
    ...common,
    type: "experiment.rolled_back",
    severity: "warning",
    title: action === "reject" ? `"${exp.name}" cutover rejected by ${actorLabel}` : `"${exp.name}" rolled back by ${actorLabel}`,
    message: `The candidate no longer receives traffic; production is unchanged.${why}`,
  };
}

async function experimentRef(db: Db, experimentId: string): Promise<ExperimentRef | null> {
  const exp = await db.experiment.findUnique({
    where: { id: experimentId },
    select: { id: true, name: true, variants: { select: { key: true, modelId: true } } },
  });
  if (!exp) return null;
  return { id: exp.id, name: exp.name, candidateModelId: exp.variants.find((v) => v.key === "candidate")?.modelId ?? null };
}

async function guarded(what: string, build: () => Promise<NotificationInput | null>, deps: NotifyDeps): Promise<NotifyResult | null> {
  let input: NotificationInput | null;
  try {
    input = await build();
  } catch (err) {
    (deps.logError ?? console.error)(`[notify] could not prepare the ${what} notification: ${err instanceof Error ? err.message : String(err)}`, err);
    return null;
  }
  return input ? notify(input, deps) : null;
}

/** After the scheduler applied a decision. */
export function notifyRolloutDecision(db: Db, experimentId: string, decision: RolloutDecision, deps: Omit<NotifyDeps, "db"> = {}) {
  return guarded(
    `experiment ${experimentId} ${decision.action}`,
    async () => {
      if (decision.action === "hold" || decision.action === "advance") return null;
      const exp = await experimentRef(db, experimentId);
      return exp ? rolloutNotification(exp, decision) : null;
    },
    { ...deps, db },
  );
}

/** After a person paused, rolled back or rejected an experiment. */
export function notifyPersonAction(db: Db, experimentId: string, action: PersonAction, actorLabel: string, reason = "", deps: Omit<NotifyDeps, "db"> = {}) {
  return guarded(
    `experiment ${experimentId} ${action}`,
    async () => {
      const exp = await experimentRef(db, experimentId);
      return exp ? personActionNotification(exp, action, actorLabel, reason) : null;
    },
    { ...deps, db },
  );
}
