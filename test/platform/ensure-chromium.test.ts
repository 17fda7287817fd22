// `npm test` on a machine without Chromium: scripts/ensure-chromium.sh installs Debian's package when
// it may, or stops with one line that says what to run. A missing browser is simulated by pointing
// the package path at a file that does not exist (this shared machine keeps its chromium).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const script = path.resolve(import.meta.dirname, "../../scripts/ensure-chromium.sh");
const missing = "/nonexistent/understudy-test/chromium";

function run(env: Record<string, string>, asNobody = false) {
  const base = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: "/tmp" };
  const command = asNobody ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "bash", script] : ["bash", script];
  const result = spawnSync(command[0], command.slice(1), { env: { NODE_ENV: "test", ...base, ...env }, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

describe("ensure-chromium (npm test's first step)", () => {
  it("passes silently when the browser exists", () => {
    expect(run({ CHROMIUM_PATH: "/bin/sh", CHROMIUM_INSTALL: "never" })).toEqual({ status: 0, stdout: "", stderr: "" });
  });

  it("installs Debian's chromium when it is missing and root may install", () => {
    const r = run({ CHROMIUM_PACKAGE_PATH: missing, CHROMIUM_INSTALL_DRY_RUN: "1" });
    if (process.getuid?.() !== 0) return; // as a non-root developer the next test's branch applies
    expect(r).toMatchObject({ status: 0, stdout: "would run: apt-get install -y --no-install-recommends chromium" });
  });

  it("stops with one line naming the command when installing is forbidden", () => {
    const r = run({ CHROMIUM_PACKAGE_PATH: missing, CHROMIUM_INSTALL: "never" });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")).toHaveLength(1);
    expect(r.stderr).toBe(
      `npm test needs Chromium at ${missing}, which is missing: run: sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium`,
    );
  });

  it("stops with the same line for a user who may not install (no root, no passwordless sudo)", () => {
    if (process.getuid?.() !== 0) return; // setpriv needs root to drop to nobody
    const r = run({ CHROMIUM_PACKAGE_PATH: missing, CHROMIUM_INSTALL_DRY_RUN: "1" }, true);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^npm test needs Chromium at .*, which is missing: run: sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium$/,
    );
  });

  it("names CHROMIUM_PATH when that is what points nowhere", () => {
    const r = run({ CHROMIUM_PATH: missing, CHROMIUM_INSTALL_DRY_RUN: "1" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/point CHROMIUM_PATH at an installed Chromium/);
  });
});
