// Demo data for a fresh database: one account per role (unless DEMO_USERS=false), a synthetic dataset,
// and three real jobs: a teacher (BPR-MF, dim 200), a student (dim 40) distilled from it with DE-RRD, and
// (queued by the student's job once it is trained) their offline comparison. The teacher takes the empty
// production slot when it finishes (promoteIfNoProduction), so the demo has a production model on the demo
// dataset for experiments and the closed loop.
// Only in an explicit demo (see demoPlan): the accounts' passwords are public.
import type { PgBoss } from "pg-boss";
import { hashPassword } from "@/lib/auth/passwords";
import type { Role } from "@/lib/auth/roles";
import { createBoss } from "@/lib/jobs/boss";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { db as defaultDb, type Db } from "./client";
import type { Dataset, Prisma } from "./generated/client";
import { createSyntheticDataset } from "./synthetic-datasets";

/** Documented in the README; created only in a demo (demoPlan). */
export const DEMO_USERS: { role: Exclude<Role, "admin">; email: string; password: string }[] = [
  { role: "viewer", email: "viewer@understudy.local", password: "demo-viewer-pass" },
  { role: "editor", email: "editor@understudy.local", password: "demo-editor-pass" },
  { role: "approver", email: "approver@understudy.local", password: "demo-approver-pass" },
];

export const DEMO_DATASET = {
  name: "Demo: synthetic shop (seed 7)",
  seed: 7,
  numUsers: 1000,
  numItems: 1000,
  interactionsPerUser: 30,
} as const;

/**
 * The demo dataset, marked `params.demo: true`: the mark is how a running app knows it is a demo
 * install (demoPlan decides only at start-up), e.g. to offer replaying drifted demo traffic.
 */
export async function createDemoDataset(db: Db, log: (message: string) => void = () => undefined): Promise<Dataset> {
  const row = await createSyntheticDataset({ ...DEMO_DATASET }, db, log);
  const params = { ...(row.params as Record<string, unknown>), demo: true } as Prisma.InputJsonValue;
  return db.dataset.update({ where: { id: row.id }, data: { params } });
}

/** training seed of both demo models (the train job's default) */
export const DEMO_SEED = 42;
export const DEMO_TEACHER_DIM = 200;
/** a fifth of the teacher's: at dim 20 no setting tried kept 95% of its validation NDCG@10 (bench/results/demo-tune.json) */
export const DEMO_STUDENT_DIM = 40;
export const DEMO_STUDENT_METHOD = "de-rrd" as const;
/** The demo teacher: a short budget so the demo is ready within minutes. */
export const DEMO_TEACHER_TRAINING = { epochs: 30, evalEvery: 5, patience: 3 };
/**
 * The demo student, picked on validation with bench/demo-tune.ts: 15 epochs at lr 0.01 (cosine to a tenth),
 * validated every epoch, kept 97.8% of the teacher's valid NDCG@10 (test 98.4%) in about 20 CPU seconds.
 */
export const DEMO_STUDENT_TRAINING = { epochs: 15, lr: 0.01, evalEvery: 1, patience: 5 };

function demoJob({ epochs, ...hyperparameters }: { epochs: number } & Record<string, unknown>) {
  return { epochs, hyperparameters };
}

export interface DemoPlan {
  /** the demo accounts with their public passwords */
  users: boolean;
  /** the synthetic dataset and its training jobs (on an empty database only) */
  data: boolean;
  /** why, for the start-up log */
  reason: string;
}

/**
 * Whether this start is a demo. Only an explicit one: DEMO=true, or the embedded default database on
 * the start that initialised it. Never against DATABASE_URL unless DEMO=true, never on a later start
 * of the embedded database. DEMO_USERS=false / SEED_DEMO=false narrow a demo down.
 */
export function demoPlan(env: Record<string, string | undefined>, database: { embedded: boolean; firstStart: boolean }): DemoPlan {
  const flag = env.DEMO?.trim().toLowerCase();
  if (flag !== undefined && flag !== "" && flag !== "true" && flag !== "false") {
    throw new Error(`DEMO must be true or false, got "${env.DEMO}"`);
  }
  let demo: boolean;
  let reason: string;
  if (flag === "true") [demo, reason] = [true, "DEMO=true"];
  else if (flag === "false") [demo, reason] = [false, "DEMO=false"];
  else if (database.embedded && database.firstStart) [demo, reason] = [true, "first start of the embedded database (DEMO=false to skip)"];
  else
    [demo, reason] = [
      false,
      database.embedded ? "not the embedded database's first start (DEMO=true for demo data)" : "DATABASE_URL is set (DEMO=true for demo data)",
    ];
  const data = demo && env.SEED_DEMO !== "false";
  return { users: data && env.DEMO_USERS !== "false", data, reason };
}

export async function isDatabaseEmpty(db: Db): Promise<boolean> {
  const [datasets, jobs] = await Promise.all([db.dataset.count(), db.jobRun.count()]);
  return datasets === 0 && jobs === 0;
}

async function ensureDemoUsers(db: Db): Promise<string[]> {
  const lines: string[] = [];
  for (const u of DEMO_USERS) {
    const existing = await db.user.findUnique({ where: { email: u.email } });
    if (!existing) {
      await db.user.create({ data: { email: u.email, name: `Demo ${u.role}`, role: u.role, passwordHash: await hashPassword(u.password) } });
    }
    lines.push(`  ${u.role.padEnd(9)} ${u.email} / ${u.password}`);
  }
  return lines;
}

/**
 * Seeds an empty database and returns lines worth printing (credentials, what was queued).
 * `boss` defaults to a short-lived sender on `url`.
 */
export async function seedDemoData(opts: { db?: Db; url?: string; boss?: PgBoss; log?: (line: string) => void; users?: boolean } = {}): Promise<string[]> {
  const db = opts.db ?? defaultDb();
  const log = opts.log ?? console.log;
  const notes: string[] = [];
  if (opts.users ?? true) {
    notes.push("demo accounts (DEMO_USERS=false to skip):", ...(await ensureDemoUsers(db)));
  }
  if (!(await isDatabaseEmpty(db))) return notes;

  log("empty database: seeding demo data");
  const dataset = await createDemoDataset(db, (m) => log(`  ${m}`));

  const url = opts.url ?? process.env.DATABASE_URL;
  const boss = opts.boss ?? createBoss(url!, { supervise: false, schedule: false, migrate: false, registerInstance: false, max: 2 });
  if (!opts.boss) await boss.start();
  try {
    const train = (input: Record<string, unknown>) => enqueueJob({ queue: "train", input: { datasetId: dataset.id, seed: DEMO_SEED, ...input } }, { db, boss });
    const teacher = await train({
      role: "teacher",
      name: `Demo teacher (BPR-MF ${DEMO_TEACHER_DIM})`,
      dimension: DEMO_TEACHER_DIM,
      ...demoJob(DEMO_TEACHER_TRAINING),
      promoteIfNoProduction: true,
    });
    const student = await train({
      role: "student",
      name: `Demo student (DE-RRD ${DEMO_STUDENT_DIM})`,
      dimension: DEMO_STUDENT_DIM,
      method: DEMO_STUDENT_METHOD,
      teacherJobRunId: teacher.id,
      ...demoJob(DEMO_STUDENT_TRAINING),
      // the comparison page shows teacher vs student without anyone starting the comparison
      compareWithTeacher: true,
    });
    notes.push(`demo jobs queued: teacher ${teacher.id}, student ${student.id}, then their comparison (see Jobs in the app)`);
  } finally {
    if (!opts.boss) await boss.stop({ graceful: false });
  }
  return notes;
}
