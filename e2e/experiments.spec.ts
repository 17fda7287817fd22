// An experiment through the dashboard: create (with a validation error first), start, ramp by the
// scheduler's rollout-evaluate job (run by the e2e server's worker) on simulated traffic, the KPI report
// and its ROI card on screen equal to what plain SQL over the Exposure/Event rows gives, the cutover
// refused in the UI to its creator and to a viewer, approved by an approver (production switches), and
// the audit trail shows who did what.
import { expect, test } from "@playwright/test";
import type { PgBoss } from "pg-boss";
import { createDb, type Db } from "../lib/db/client";
import { STAGE_SETTLE_MS } from "../lib/db/reports";
import { createBoss } from "../lib/jobs/boss";
import { enqueueJob } from "../lib/jobs/enqueue";
import { writeTraffic, type World } from "../test/experiments/rollout-fixtures";
import { checkPage } from "./a11y";
import { e2eDatabaseUrl } from "./database";
import { signIn } from "./helpers";
import { person, seedTeacherAndStudent } from "./world";

let db: Db;
let boss: PgBoss;
let world: World;

test.beforeAll(async () => {
  db = createDb(e2eDatabaseUrl());
  // a sender only, as the web process has: the e2e server's worker runs the jobs
  boss = createBoss(e2eDatabaseUrl(), { supervise: false, schedule: false, migrate: false, registerInstance: false, max: 2 });
  await boss.start();
  const { teacherId, studentId } = await seedTeacherAndStudent(db, { dataset: "e2e-tiny", models: "e2e" });
  world = {
    editor: await person(db, "admin@e2e.test"),
    plainEditor: await person(db, "editor@e2e.test"),
    approver: await person(db, "approver@e2e.test"),
    approver2: await person(db, "approver@e2e.test"),
    viewer: await person(db, "viewer@e2e.test"),
    teacherId,
    studentId,
  };
});

test.afterAll(async () => {
  await boss?.stop({ graceful: false });
  await db?.$disconnect();
});

/** Runs the scheduler's rollout-evaluate job on the e2e server's worker and waits for it to end. */
async function runSchedulerJob(): Promise<void> {
  // the singleton key returns a run already queued or running (a cron pass) instead of a second one
  const run = await enqueueJob({ queue: "rollout-evaluate", input: {} }, { db, boss });
  await expect
    .poll(async () => (await db.jobRun.findUniqueOrThrow({ where: { id: run.id } })).status, { timeout: 20_000 })
    .toMatch(/^(succeeded|failed|cancelled)$/);
  const done = await db.jobRun.findUniqueOrThrow({ where: { id: run.id } });
  expect(done.status, done.error ?? "").toBe("succeeded");
}

/**
 * A stage's simulated traffic: 2,000 users × 2 requests split at the stage's percent; the candidate is
 * clicked on every 4th request (control: every 5th) and costs 150 µs of CPU a request (control: 600 µs).
 */
async function writeStageTraffic(experimentId: string, percent: number, at: Date, tag: string) {
  const total = 2000;
  const candidates = Math.round((total * percent) / 100);
  const common = { experimentId, requestsPerUser: 2, latencyUs: 2000, at };
  await writeTraffic(db, { ...common, variant: "candidate", modelId: world.studentId, userPrefix: `${tag}-c-`, users: candidates, clickEvery: 4, cpuUs: 150 });
  await writeTraffic(db, {
    ...common,
    variant: "control",
    modelId: world.teacherId,
    userPrefix: `${tag}-k-`,
    users: total - candidates,
    clickEvery: 5,
    cpuUs: 600,
  });
}

interface ArmTotals {
  users: number;
  exposures: number;
  clicks: number;
  meanCpuUs: number;
}

/** Per arm, straight from the rows: distinct users, exposures, attributed clicks, mean CPU per request. */
async function armTotals(experimentId: string): Promise<Record<"control" | "candidate", ArmTotals>> {
  const rows = await db.$queryRawUnsafe<{ variant: "control" | "candidate"; users: number; exposures: number; clicks: number; mean_cpu_us: number }[]>(
    `SELECT x."variant",
            count(DISTINCT x."userId")::int AS users,
            count(*)::int AS exposures,
            (SELECT count(*)::int FROM "Event" e JOIN "Exposure" y ON y."requestId" = e."requestId"
              WHERE y."experimentId" = $1 AND y."variant" = x."variant" AND e."type" = 'click') AS clicks,
            avg(x."cpuUs")::float8 AS mean_cpu_us
     FROM "Exposure" x WHERE x."experimentId" = $1 GROUP BY x."variant"`,
    experimentId,
  );
  const arm = (v: "control" | "candidate") => {
    const r = rows.find((x) => x.variant === v)!;
    return { users: r.users, exposures: r.exposures, clicks: r.clicks, meanCpuUs: r.mean_cpu_us };
  };
  return { control: arm("control"), candidate: arm("candidate") };
}

const int = (n: number) => n.toLocaleString("en-US");
const dollars = (x: number) => {
  expect(x, "the expected values below stay under $100 (two decimals)").toBeLessThan(100);
  return `$${x.toFixed(2)}`;
};
/** monthly cost at 730 h a month: requests × CPU s per request at the vCPU-hour price + one resident copy of the model */
const monthly = (requestsPerDay: number, cpuUs: number, sizeBytes: number, vcpuHour: number, gibHour: number) =>
  ((requestsPerDay * (730 / 24) * (cpuUs / 1e6)) / 3600) * vcpuHour + (sizeBytes / 2 ** 30) * gibHour * 730;

/** Simulated traffic at the current stage, then scheduler job runs until the experiment reaches `status`. */
async function rampTo(experimentId: string, percent: number, status: string, tag: string) {
  // stamped inside the current stage's report window (it starts STAGE_SETTLE_MS after the stage); the
  // job evaluates at its own clock, so the first runs may hold until that clock passes the stamps
  const exp = await db.experiment.findUniqueOrThrow({ where: { id: experimentId }, include: { stages: true } });
  const stageStart = exp.stages.find((s) => s.index === exp.currentStageIndex)?.startedAt?.getTime() ?? Date.now();
  await writeStageTraffic(experimentId, percent, new Date(Math.max(Date.now(), stageStart + STAGE_SETTLE_MS + 1)), tag);
  await expect
    .poll(
      async () => {
        await runSchedulerJob();
        const e = await db.experiment.findUniqueOrThrow({ where: { id: experimentId } });
        return `${e.status}@${e.rampSchedule[e.currentStageIndex]}`;
      },
      { timeout: 30_000 },
    )
    .toBe(status);
}

test("create, start, ramp, the KPI report against the rows, the cutover refused to its creator and a viewer, approved by an approver", async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  await signIn(page, "admin");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Experiments" }).click();
  await page.getByRole("link", { name: "New experiment" }).click();

  // a bad ramp is refused field by field
  await page.getByLabel("Name").fill("e2e student vs teacher");
  await page.getByLabel("Ramp schedule (candidate %)").fill("10, 5, 100");
  await page.getByRole("button", { name: "Create draft" }).click();
  await expect(page.getByText("must increase at every stage")).toBeVisible();

  await page.getByLabel("Ramp schedule (candidate %)").fill("10, 50, 100");
  await page.getByLabel("Min minutes per stage").fill("0");
  await page.getByLabel("Min candidate exposures per stage").fill("100");
  // CTR is the primary metric by default; conversion and revenue are not used
  await expect(page.getByLabel("CTR", { exact: true })).toHaveValue("primary");
  await page.locator("#margin-ctr").fill("50");
  await page.getByRole("button", { name: "Create draft" }).click();
  await expect(page).toHaveURL(/\/experiments\/(?!new$)[a-z0-9]+$/);
  const experimentId = page.url().split("/").pop()!;
  await expect(page.getByTestId("experiment-status")).toHaveText("draft");

  await page.getByTestId("action-start").click();
  await page.getByTestId("action-submit").click();
  await expect(page.getByTestId("experiment-status")).toHaveText("running");
  await expect(page.getByTestId("candidate-share")).toHaveText("10%");

  await rampTo(experimentId, 10, "running@50", "e2e-s0");
  await rampTo(experimentId, 50, "awaiting_approval@50", "e2e-s1");

  // the creator (an admin, so an approver too) cannot approve their own experiment: the UI refuses, and so does the server
  await page.reload();
  await expect(page.getByTestId("experiment-status")).toHaveText("awaiting approval");
  await expect(page.getByTestId("approval-blocked")).toContainText("You created this experiment");
  await expect(page.getByTestId("approve")).toBeDisabled();
  await expect(page.getByTestId("reject")).toBeDisabled();
  expect((await page.request.post(`/api/experiments/${experimentId}/approve`, { data: { comment: "mine" } })).status()).toBe(403);
  await expect(page.getByTestId("metric-results").locator('tr[data-metric="ctr"]')).toContainText("non-inferior");
  await expect(page.getByTestId("metric-forest-plot")).toBeVisible();
  await expect(page.getByTestId("dropped-exposures")).toContainText("0");

  // the whole experiment's report on screen equals plain SQL over the rows
  const rows = await armTotals(experimentId);
  const { control: k, candidate: c } = rows;
  expect(k.exposures).toBe(1800 * 2 + 1000 * 2);
  expect(c.exposures).toBe(200 * 2 + 1000 * 2);
  await page.goto(`/experiments/${experimentId}?scope=all`);
  await expect(page.getByTestId("report-scope")).toContainText("whole experiment");
  const users = page.locator(".stat", { hasText: "Users control / candidate" });
  await expect(users.locator(".value")).toHaveText(`${int(k.users)} / ${int(c.users)}`);
  await expect(users.locator(".sub")).toHaveText(`exposures ${int(k.exposures)} / ${int(c.exposures)}`);
  const ctr = { control: k.clicks / k.exposures, candidate: c.clicks / c.exposures };
  const lift = ctr.candidate / ctr.control - 1;
  // CTR is the experiment's primary catalogue metric (the form's default): name, role, control, candidate, lift
  const ctrRow = page.getByTestId("metric-results").locator('tr[data-metric="ctr"] td');
  await expect(ctrRow.nth(2)).toHaveText(`${(ctr.control * 100).toFixed(2)}%`);
  await expect(ctrRow.nth(3)).toHaveText(`${(ctr.candidate * 100).toFixed(2)}%`);
  await expect(ctrRow.nth(4)).toContainText(`${lift >= 0 ? "+" : ""}${(lift * 100).toFixed(1)}%`);
  const ops = (label: string) =>
    page
      .getByTestId("ops-table")
      .locator("tr", { has: page.getByRole("cell", { name: label, exact: true }) })
      .locator("td");
  await expect(ops("Requests").nth(1)).toHaveText(int(k.exposures));
  await expect(ops("Requests").nth(2)).toHaveText(int(c.exposures));
  await expect(ops("CPU per request").nth(1)).toHaveText(`${(k.meanCpuUs / 1000).toFixed(2)} ms`);
  await expect(ops("CPU per request").nth(2)).toHaveText(`${(c.meanCpuUs / 1000).toFixed(2)} ms`);
  // rows written without a batch size count as batches of one: effective n = n
  await expect(ops("Latency sample: requests (effective n)").nth(1)).toHaveText(`${int(k.exposures)} (${int(k.exposures)})`);
  await expect(ops("Latency sample: requests (effective n)").nth(2)).toHaveText(`${int(c.exposures)} (${int(c.exposures)})`);

  // the ROI card: each arm's measured CPU per request and model size, priced at the inputs typed in
  const roi = page.getByTestId("experiment-roi");
  await roi.getByLabel("Requests per day").fill("100000000");
  await roi.getByLabel("vCPU-hour price (USD)").fill("0.04");
  await roi.getByLabel("GiB-hour price (USD)").fill("0.01");
  const [teacher, student] = await Promise.all([world.teacherId, world.studentId].map((id) => db.model.findUniqueOrThrow({ where: { id } })));
  const fromCost = monthly(1e8, k.meanCpuUs, teacher.sizeBytes, 0.04, 0.01);
  const toCost = monthly(1e8, c.meanCpuUs, student.sizeBytes, 0.04, 0.01);
  await expect(roi.getByTestId("roi-control-cpu-ms")).toHaveText(`${(k.meanCpuUs / 1000).toFixed(3)} ms`);
  await expect(roi.getByTestId("roi-candidate-cpu-ms")).toHaveText(`${(c.meanCpuUs / 1000).toFixed(3)} ms`);
  await expect(roi.getByTestId("roi-control-total")).toHaveText(dollars(fromCost));
  await expect(roi.getByTestId("roi-candidate-total")).toHaveText(dollars(toCost));
  const signedLift = `${lift > 0 ? "+" : "−"}${Math.abs(lift * 100).toFixed(1)}%`;
  await expect(roi.getByTestId("roi-candidate-quality")).toHaveText(new RegExp(`^${signedLift.replace("+", "\\+")} \\[[−+±]\\d+\\.\\d%, [−+±]\\d+\\.\\d%\\]$`));
  await expect(roi.getByTestId("roi-summary")).toContainText(`Switching saves ${dollars(fromCost - toCost)}/month`);
  await expect(roi.getByTestId("roi-summary")).toContainText(`CTR change ${signedLift} [`);
  await checkPage(page, "experiment-report");
  await page.setViewportSize({ width: 1280, height: 900 });

  // a viewer sees the report, and the UI refuses them the decision; the server does too
  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await signIn(viewer, "viewer");
  await viewer.goto(`/experiments/${experimentId}`);
  await expect(viewer.getByTestId("experiment-status")).toHaveText("awaiting approval");
  await expect(viewer.getByTestId("approval-blocked")).toHaveText("Only an approver can decide on the cutover; you are viewer.");
  await expect(viewer.getByTestId("approve")).toBeDisabled();
  await expect(viewer.getByTestId("reject")).toBeDisabled();
  await expect(viewer.getByLabel("Comment (required to reject)")).toBeDisabled();
  expect((await viewer.request.post(`/api/experiments/${experimentId}/approve`, { data: { comment: "looks fine" } })).status()).toBe(403);
  await viewerContext.close();
  expect((await db.experiment.findUniqueOrThrow({ where: { id: experimentId } })).status).toBe("awaiting_approval");
  expect((await db.servingSlot.findUniqueOrThrow({ where: { name: "production" } })).modelId).toBe(world.teacherId);

  // an approver who did not create it approves: production switches to the student
  const context = await browser.newContext();
  const approver = await context.newPage();
  await signIn(approver, "approver");
  await approver.goto(`/experiments/${experimentId}`);
  await expect(approver.getByTestId("approval-blocked")).toHaveCount(0);
  await approver.getByLabel("Comment (required to reject)").fill("guardrails held at 50%");
  await approver.getByTestId("approve").click();
  await expect(approver.getByTestId("experiment-status")).toHaveText("completed");
  await expect(approver.getByTestId("candidate-share")).toHaveText("100%");
  await expect(approver.getByTestId("approvals")).toContainText("approved by approver@e2e.test");
  const trail = approver.getByTestId("audit-trail");
  await expect(trail).toContainText("experiment.advance");
  await expect(trail).toContainText("scheduler");
  await expect(trail).toContainText("experiment.approve");
  await expect(trail).toContainText("serving_slot.cutover");
  const slot = await db.servingSlot.findUniqueOrThrow({ where: { name: "production" } });
  expect(slot.modelId).toBe(world.studentId);
  await context.close();
});
