// Rows the experiment tests need: people of each role, a dataset with a teacher and a student model,
// the production slot on the teacher, and bulk exposures/events written by SQL (generate_series).
import type { Db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import type { Role } from "@/lib/auth/roles";
import { createExperiment, startExperiment, type Person } from "@/lib/services/experiments";
import { experimentConfigSchema, type ExperimentConfigInput } from "@/lib/experiments/config";
import { metricDefinitionSchema } from "@/lib/experiments/metrics";

export interface World {
  /** creates the experiments; holds the approver role so self-approval can be tested */
  editor: Person;
  plainEditor: Person;
  approver: Person;
  approver2: Person;
  viewer: Person;
  teacherId: string;
  studentId: string;
}

async function person(db: Db, email: string, role: Role): Promise<Person> {
  const u = await db.user.create({ data: { email, role, passwordHash: "x" } });
  return { id: u.id, email: u.email, role };
}

export async function seedWorld(db: Db): Promise<World> {
  const dataset = await db.dataset.create({
    data: { name: "tiny", source: "synthetic", snapshot: `snap-${Math.random()}`, numUsers: 10, numItems: 10, numInteractions: 20 },
  });
  const model = (name: string, role: "teacher" | "student", dimension: number, sizeBytes: number) =>
    db.model.create({
      data: { name, role, architecture: "bpr-mf", dimension, parameterCount: sizeBytes / 4, sizeBytes, artifactUri: `/tmp/${name}`, datasetId: dataset.id },
    });
  const teacher = await model("teacher", "teacher", 200, 8_000_000);
  const student = await model("student", "student", 20, 800_000);
  await db.servingSlot.create({ data: { name: "production", modelId: teacher.id } });
  return {
    editor: await person(db, "creator@example.com", "approver"),
    plainEditor: await person(db, "plain-editor@example.com", "editor"),
    approver: await person(db, "approver@example.com", "approver"),
    approver2: await person(db, "admin@example.com", "admin"),
    viewer: await person(db, "viewer@example.com", "viewer"),
    teacherId: teacher.id,
    studentId: student.id,
  };
}

/** A started experiment (stage 0 active) created by `world.editor` (who holds the approver role, to test self-approval). */
export async function startedExperiment(db: Db, world: World, overrides: Partial<ExperimentConfigInput> = {}, startAt = new Date()) {
  const cfg = experimentConfigSchema.parse({
    name: "student vs teacher",
    candidateModelId: world.studentId,
    rampSchedule: [10, 50, 100],
    minStageMinutes: 0,
    minStageExposures: 100,
    ...overrides,
    guardrails: {
      latencyP95Ms: 10,
      errorRate: 0.01,
      minGuardrailExposures: 50,
      nonInferiorityMargins: { ctr: 0.5, conversion: 0.5, revenue: 0.5 },
      ...overrides.guardrails,
    },
  });
  const exp = await createExperiment(db, cfg, world.editor);
  await startExperiment(db, exp.id, world.editor, "test", startAt);
  return exp;
}

export interface TrafficSpec {
  experimentId: string;
  variant: "control" | "candidate";
  modelId: string;
  /** users u0..u(users-1) with this prefix */
  userPrefix: string;
  users: number;
  requestsPerUser: number;
  /** every request has one click when (request number % clickEvery) == 0 */
  clickEvery: number;
  latencyUs: number;
  /** CPU time of each request (default 500 µs) */
  cpuUs?: number;
  /** latencies spread over [latencyUs, latencyUs + spread) by a fixed pattern (default 0: all equal) */
  latencySpreadUs?: number;
  /** every request whose number % failEvery == 0 failed (0 = none) */
  failEvery?: number;
  at: Date;
}

/** Writes users × requestsPerUser exposures and their clicks with two INSERT … SELECT statements. */
export async function writeTraffic(db: Db, t: TrafficSpec): Promise<void> {
  const failEvery = t.failEvery ?? 0;
  const spread = Math.max(1, t.latencySpreadUs ?? 0);
  await db.$executeRaw(Prisma.sql`
    INSERT INTO "Exposure" ("requestId", "experimentId", "variant", "modelId", "userId", "itemCount", "latencyUs", "cpuUs", "failed", "createdAt")
    SELECT gen_random_uuid(), ${t.experimentId}, ${t.variant}, ${t.modelId}, ${t.userPrefix} || u, 10, ${t.latencyUs} + (u * 37 + r * 11) % ${spread}, ${t.cpuUs ?? 500},
           ${failEvery} > 0 AND ((u * ${t.requestsPerUser} + r) % greatest(${failEvery}, 1)) = 0, ${t.at}
    FROM generate_series(0, ${t.users - 1}) u, generate_series(0, ${t.requestsPerUser - 1}) r`);
  await db.$executeRaw(Prisma.sql`
    INSERT INTO "Event" ("eventId", "type", "userId", "requestId", "timestamp")
    SELECT 'click:' || x."requestId", 'click', x."userId", x."requestId", ${t.at}
    FROM (SELECT "requestId", "userId", row_number() OVER (ORDER BY "id") AS k
          FROM "Exposure" WHERE "experimentId" = ${t.experimentId} AND "variant" = ${t.variant} AND "userId" LIKE ${t.userPrefix + "%"}) x
    WHERE x.k % ${t.clickEvery} = 0`);
  // bulk-loaded tables: give the planner statistics now rather than whenever autovacuum gets to them
  await db.$executeRawUnsafe(`ANALYZE "Exposure", "Event"`);
}

/**
 * One custom event "<name>:<requestId>" (value 1) on the first request of `percent` % of an arm's users
 * (every user whose rank by userId is < percent modulo 100), stamped with that request's time.
 */
export async function writeCustomEvents(db: Db, experimentId: string, variant: string, name: string, percent: number): Promise<void> {
  await db.$executeRaw(Prisma.sql`
    INSERT INTO "Event" ("eventId", "type", "userId", "requestId", "value", "timestamp")
    SELECT ${name + ":"} || x."requestId", 'custom', x."userId", x."requestId", 1, x."createdAt"
    FROM (SELECT DISTINCT ON ("userId") "requestId", "userId", "createdAt", dense_rank() OVER (ORDER BY "userId") AS k
          FROM "Exposure" WHERE "experimentId" = ${experimentId} AND "variant" = ${variant} ORDER BY "userId", "id") x
    WHERE x.k % 100 < ${percent}`);
}

const minutes = (base: Date, m: number) => new Date(base.getTime() + m * 60_000);

/** Ends whatever experiment is live so the next one can start (one live experiment at a time). */
export async function endLiveExperiments(db: Db): Promise<void> {
  await db.experiment.updateMany({ where: { status: { in: ["running", "paused", "awaiting_approval"] } }, data: { status: "cancelled" } });
}

/** Healthy traffic at a given candidate percent: 2,000 users, 2 requests each, CTR 20% in both arms. */
/** a catalogue metric: the 95th percentile of request latency, lower is better, 10 % non-inferiority margin */
export const p95LatencyMetric = (key: string) =>
  metricDefinitionSchema.parse({
    key,
    name: "p95 latency",
    aggregation: "quantile",
    event: "latency",
    quantile: 0.95,
    direction: "lowerIsBetter",
    nonInferiorityMargin: 0.1,
  });

type ArmTraffic = Pick<TrafficSpec, "users"> & Partial<Pick<TrafficSpec, "requestsPerUser" | "clickEvery" | "latencyUs" | "latencySpreadUs" | "failEvery">>;

/**
 * Both arms' traffic: the candidate served by the student (users `${tag}-c-…`), the control by the
 * teacher (`${tag}-k-…`); 2 requests a user, a click every 5th, 2 ms latency unless an arm says otherwise.
 */
export async function writeArmsTraffic(
  db: Db,
  world: World,
  { experimentId, tag, at, candidate, control }: { experimentId: string; tag: string; at: Date; candidate: ArmTraffic; control: ArmTraffic },
) {
  const common = { experimentId, requestsPerUser: 2, clickEvery: 5, latencyUs: 2000, at };
  await writeTraffic(db, { ...common, variant: "candidate", modelId: world.studentId, userPrefix: `${tag}-c-`, ...candidate });
  await writeTraffic(db, { ...common, variant: "control", modelId: world.teacherId, userPrefix: `${tag}-k-`, ...control });
}

export async function writeHealthyTraffic(db: Db, world: World, experimentId: string, percent: number, at: Date, tag: string) {
  const total = 2000;
  const cand = Math.round((total * percent) / 100);
  await writeArmsTraffic(db, world, { experimentId, tag, at, candidate: { users: cand }, control: { users: total - cand } });
}

/**
 * Drives a real experiment through the scheduler to awaiting_approval: ramp [10, 50, 100], healthy
 * traffic in each stage, one evaluation per stage.
 */
export async function driveToAwaitingApproval(db: Db, world: World, t0: Date) {
  const { evaluateExperiment } = await import("@/lib/services/experiments");
  const exp = await startedExperiment(db, world, { kpis: ["ctr"] }, t0);
  await writeHealthyTraffic(db, world, exp.id, 10, minutes(t0, 1), `${exp.id}-s0`);
  const first = await evaluateExperiment(db, exp.id, minutes(t0, 2));
  if (first?.decision.action !== "advance") throw new Error(`expected advance, got ${first?.decision.action}: ${first?.decision.reason}`);
  await writeHealthyTraffic(db, world, exp.id, 50, minutes(t0, 3), `${exp.id}-s1`);
  const second = await evaluateExperiment(db, exp.id, minutes(t0, 4));
  if (second?.decision.action !== "await_approval") throw new Error(`expected await_approval, got ${second?.decision.action}: ${second?.decision.reason}`);
  return exp;
}
