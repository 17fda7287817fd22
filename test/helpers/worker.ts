// Real worker processes (jobs/worker.ts) for integration tests. Started with `node --import tsx`
// so the pid is the worker itself: kill -9 hits it, not a wrapper.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { Db } from "@/lib/db/client";
import { waitFor } from "./wait";

const root = path.resolve(import.meta.dirname, "../..");

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait for exit */
  stop(): Promise<number | null>;
  /** SIGKILL: the worker gets no chance to clean up */
  kill9(): Promise<void>;
}

export async function startWorkerProcess(url: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "jobs/worker.ts"], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: url,
      JOBS_POLL_SECONDS: "0.5",
      JOBS_MONITOR_SECONDS: "1",
      JOB_HEARTBEAT_MS: "300",
      JOB_PROGRESS_INTERVAL_MS: "100",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await waitFor(
    "the worker to start",
    () => {
      if (child.exitCode !== null) throw new Error(`worker exited (${child.exitCode}):\n${out}`);
      return out.includes("working on");
    },
    { timeoutMs: 60_000 },
  );
  return {
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
    async kill9() {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/** Polls a JobRun until it reaches a terminal status (succeeded, failed or cancelled) and returns it. */
export function waitForJobToFinish(db: Db, id: string, { timeoutMs = 60_000, intervalMs = 250 } = {}) {
  return waitFor(
    `job ${id} to finish`,
    async () => {
      const run = await db.jobRun.findUniqueOrThrow({ where: { id } });
      return ["succeeded", "failed", "cancelled"].includes(run.status) ? run : undefined;
    },
    { timeoutMs, intervalMs },
  );
}
