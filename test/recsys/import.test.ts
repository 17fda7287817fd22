// The streaming importer (lib/recsys/data/import.ts and its parts): formats, detection, preview,
// malformed lines with file and line, gzip and zip, the three splits and interactions.tsv.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import {
  DatasetError,
  loadTsvDir,
  previewImport,
  readInteractionsTsv,
  runImport,
  splitInteractions,
  writeInteractionsTsv,
  InteractionColumns,
} from "@/lib/recsys/data";
import { ByteInterner } from "@/lib/recsys/data/ids";
import type { Dataset } from "@/lib/recsys/types";

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "understudy-import-"));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let n = 0;
function file(name: string, content: string | Buffer): string {
  const dir = path.join(tmpRoot, `f${n++}`);
  fs.mkdirSync(dir);
  const f = path.join(dir, name);
  fs.writeFileSync(f, content);
  return f;
}
const work = () => fs.mkdtempSync(path.join(tmpRoot, "w"));
async function importError(p: Promise<unknown>): Promise<DatasetError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(DatasetError);
    return err as DatasetError;
  }
  throw new Error("expected a DatasetError");
}
function held(ds: Dataset, which: "valid" | "test"): Record<string, string> {
  const out: Record<string, string> = {};
  ds.userIds.forEach((u, k) => {
    if (ds[which][k] >= 0) out[u] = ds.itemIds[ds[which][k]];
  });
  return out;
}
const trainOf = (ds: Dataset, user: string) => Array.from(ds.trainByUser[ds.userIds.indexOf(user)], (i) => ds.itemIds[i]).sort();

// alice has 4 items over time, bob 3 (one repeated, its latest time counts), carol 2 (all in train)
const GENERIC = [
  "customer_id;sku;event_time;qty",
  "alice;p1;2024-01-01T00:00:00Z;1",
  "alice;p2;2024-01-02T00:00:00Z;2",
  "bob;p1;1704067200;1",
  "alice;p3;2024-01-03T00:00:00Z;1",
  "bob;p2;1704153600000;1",
  "alice;p4;2024-01-04T00:00:00Z;1",
  "bob;p3;1704240000;5",
  "bob;p1;1704326400;1",
  "carol;p1;1704067200;1",
  "carol;p4;1704067300;1",
  "",
].join("\n");

describe("ByteInterner", () => {
  it("gives one index per distinct id, integers and strings alike, and returns the strings", () => {
    const ids = ["17", "a", "017", "17", "é", "a", "0", "123456789", "1234567890", "0"];
    const it = new ByteInterner();
    const got = ids.map((s) => {
      const b = Buffer.from(s);
      return it.intern(b, 0, b.length);
    });
    expect(got).toEqual([0, 1, 2, 0, 3, 1, 4, 5, 6, 4]);
    expect(it.ids()).toEqual(["17", "a", "017", "é", "0", "123456789", "1234567890"]);
    // many ids: the tables grow
    const big = new ByteInterner();
    for (let k = 0; k < 50_000; k++) {
      const b = Buffer.from(k % 2 ? `u${k}` : String(k));
      big.intern(b, 0, b.length);
    }
    expect(big.size).toBe(50_000);
    expect(big.intern(Buffer.from("u49999"), 0, 6)).toBe(49_999);
  });
});

describe("preview", () => {
  it("detects delimiter, header, mapping and shows parsed rows, without storing anything", async () => {
    const f = file("events.csv", GENERIC);
    const p = await previewImport(f);
    expect(p.format).toBe("csv");
    expect(p.delimiter).toBe(";");
    expect(p.header).toBe(true);
    expect(p.columns).toEqual(["customer_id", "sku", "event_time", "qty"]);
    expect(p.mapping).toEqual({ user: 0, item: 1, timestamp: 2, weight: 3 });
    expect(p.rows).toHaveLength(10);
    expect(p.rows[0]).toEqual({ line: 2, user: "alice", item: "p1", timestamp: 1704067200, weight: 1, kept: true });
    // a number of milliseconds is read as such
    expect(p.rows[4].timestamp).toBe(1704153600);
    expect(p.errors).toEqual([]);
    expect([p.estimatedRows, p.exact, p.hasTimestamps, p.defaultSplit]).toEqual([10, true, true, "loo-time"]);
  });

  it("lists the first errors with their line numbers and keeps going", async () => {
    const lines = ["user,item,timestamp"];
    for (let k = 0; k < 40; k++) lines.push(k % 2 ? `u${k},i${k},${1000 + k}` : `u${k},i${k},yesterday`);
    const p = await previewImport(file("bad.csv", lines.join("\n")));
    expect(p.errors).toHaveLength(20);
    expect(p.errors[0]).toEqual({ line: 2, message: "bad.csv:2: timestamp 'yesterday' is neither a number nor a date" });
    expect(p.errors[19].line).toBe(40);
    expect(p.rows.map((r) => r.line).slice(0, 3)).toEqual([3, 5, 7]);
  });

  it("estimates the row count of a file larger than the sample", async () => {
    const rows = Array.from({ length: 400_000 }, (_, k) => `${k % 5000},${k % 777},${k}`);
    const p = await previewImport(file("big.csv", "user,item,timestamp\n" + rows.join("\n") + "\n"));
    expect(p.exact).toBe(false);
    expect(p.estimatedRows).toBeGreaterThan(380_000);
    expect(p.estimatedRows).toBeLessThan(420_000);
  });

  it("applies a chosen mapping and headerless files get numbered columns", async () => {
    const f = file("raw.tsv", "i1\tu1\t5\ni2\tu1\t6\n");
    const p = await previewImport(f, { header: false, mapping: { user: 1, item: 0, timestamp: 2 } });
    expect(p.columns).toEqual(["column 1", "column 2", "column 3"]);
    expect(p.rows.map((r) => [r.user, r.item, r.timestamp])).toEqual([
      ["u1", "i1", 5],
      ["u1", "i2", 6],
    ]);
  });
});

describe("runImport", () => {
  it("imports a generic CSV: maps columns, de-duplicates, splits by latest time", async () => {
    const r = await runImport(file("events.csv", GENERIC), { name: "shop", workDir: work() });
    const ds = r.dataset;
    expect([ds.numUsers, ds.numItems]).toEqual([3, 4]);
    expect(held(ds, "test")).toEqual({ alice: "p4", bob: "p1" });
    expect(held(ds, "valid")).toEqual({ alice: "p3", bob: "p3" });
    expect(trainOf(ds, "alice")).toEqual(["p1", "p2"]);
    expect(trainOf(ds, "carol")).toEqual(["p1", "p4"]);
    expect(r.params.counts).toMatchObject({ rows: 10, interactions: 9, duplicates: 1 });
    expect(r.params.split).toEqual({ kind: "loo-time", seed: 0 });
    // interactions keep the latest time of a repeated pair
    const bob = ds.userIds.indexOf("bob");
    const p1 = ds.itemIds.indexOf("p1");
    const d = r.interactions;
    let t = NaN;
    for (let p = d.userStart[bob]; p < d.userStart[bob + 1]; p++) if (d.items[p] === p1) t = d.times[p];
    expect(t).toBe(1704326400);
  });

  it("MovieLens ratings.csv: ratings below the threshold are not interactions", async () => {
    const ml = "userId,movieId,rating,timestamp\n1,10,5,100\n1,11,3.5,101\n1,12,4,102\n1,13,4.5,103\n2,10,1,100\n";
    const r = await runImport(file("ratings.csv", ml), { name: "ml", workDir: work() });
    expect(r.format).toBe("movielens");
    expect(r.params.minWeight).toBe(4);
    expect(r.dataset.numUsers).toBe(1);
    expect(held(r.dataset, "test")).toEqual({ "1": "13" });
    expect(r.params.counts).toMatchObject({ rows: 5, belowMinWeight: 2 });
    const lower = await runImport(file("ratings.csv", ml), { name: "ml", workDir: work(), minWeight: 1 });
    expect(lower.dataset.numUsers).toBe(2);
    const none = await importError(runImport(file("ratings.csv", "userId,movieId,rating,timestamp\n1,10,2,100\n"), { name: "ml", workDir: work() }));
    expect(none.message).toBe("ratings.csv: none of the 1 rows has a rating >= 4; lower the threshold");
  });

  it("reads gzip-compressed files", async () => {
    const r = await runImport(file("events.csv.gz", zlib.gzipSync(GENERIC)), { name: "gz", workDir: work() });
    expect(r.gzip).toBe(true);
    expect(r.dataset.numUsers).toBe(3);
    const broken = zlib.gzipSync(GENERIC).subarray(0, 40);
    expect((await importError(runImport(file("cut.csv.gz", broken), { name: "gz", workDir: work() }))).message).toMatch(/^cut\.csv\.gz: not a valid gzip file/);
  });

  it("aborts on the first malformed line with file, line and reason", async () => {
    const cases: [string, string][] = [
      ["user,item,timestamp\nu1,i1,1\nu2,i2\n", "bad.csv:3: expected 3 comma-separated columns like the header, got 2"],
      ["user,item,timestamp\nu1,i1,1\n,i2,3\n", "bad.csv:3: empty user id (column 'user')"],
      ["user,item,timestamp\nu1,i1,1\n\nu1,i2,soon\n", "bad.csv:4: timestamp 'soon' is neither a number nor a date"],
      ['user,item\nu1,"i1\n', "bad.csv:2: unterminated quote in column 2"],
      ["user,item\nu1,i1\nuser,item\n", "bad.csv:3: header repeated inside the data (concatenated files?)"],
      ["user,item,rating\nu1,i1,x\n", "bad.csv:2: weight 'x' is not a number"],
      ["user,item\n", "bad.csv: no data rows (header only)"],
      ["\n\n", "bad.csv: empty file"],
    ];
    for (const [content, message] of cases) {
      const err = await importError(runImport(file("bad.csv", content), { name: "bad", workDir: work() }));
      expect(err.message).toBe(message);
    }
    const err = await importError(runImport(file("bad.csv", "user,item,timestamp\nu1,i1,1\nu2,i2\n"), { name: "bad", workDir: work() }));
    expect([path.basename(err.file ?? ""), err.line]).toEqual(["bad.csv", 3]);
    expect((await importError(runImport(file("e.csv", ""), { name: "e", workDir: work() }))).message).toBe("e.csv: empty file");
  });

  it("quoted fields, CRLF and a BOM", async () => {
    const content = '\ufeffuser,item,timestamp\r\n"a, b","x ""y""",1\r\n"a, b",z,2\r\n"a, b",w,3\r\n';
    const r = await runImport(file("q.csv", content), { name: "q", workDir: work() });
    expect(r.dataset.userIds).toEqual(["a, b"]);
    expect(r.dataset.itemIds.sort()).toEqual(["w", 'x "y"', "z"]);
    expect(held(r.dataset, "test")).toEqual({ "a, b": "w" });
  });

  it("refuses a time split without a timestamp column", async () => {
    const f = file("pairs.csv", "user,item\nu1,i1\nu1,i2\nu1,i3\n");
    const err = await importError(runImport(f, { name: "p", workDir: work(), split: { kind: "loo-time" } }));
    expect(err.message).toMatch(/loo-time split needs a timestamp column/);
    const r = await runImport(f, { name: "p", workDir: work() });
    expect(r.params.split).toEqual({ kind: "loo-random", seed: 0 });
    expect(r.dataset.test[0]).toBeGreaterThanOrEqual(0);
  });

  it("train/valid/test.tsv as a directory and as a zip", async () => {
    const dir = path.join(tmpRoot, "split");
    fs.mkdirSync(path.join(dir, "inner"), { recursive: true });
    fs.writeFileSync(path.join(dir, "inner/train.tsv"), "user\titem\n0\t1\n0\t2\n1\t0\n");
    fs.writeFileSync(path.join(dir, "inner/valid.tsv"), "user\titem\n0\t3\n");
    fs.writeFileSync(path.join(dir, "inner/test.tsv"), "user\titem\n0\t0\n1\t3\n");
    const fromDir = await runImport(path.join(dir, "inner"), { name: "d", workDir: work() });
    expect(fromDir.format).toBe("tsv-dir");
    expect(fromDir.params.split).toBeNull();
    expect(fromDir.interactions.items.length).toBe(6);
    const zip = path.join(tmpRoot, "split.zip");
    execFileSync("zip", ["-qr", zip, "inner"], { cwd: dir });
    const fromZip = await runImport(zip, { name: "z", workDir: work() });
    expect(Array.from(fromZip.dataset.test)).toEqual(Array.from(fromDir.dataset.test));
    expect(fromZip.dataset.trainByUser.map((a) => Array.from(a))).toEqual(fromDir.dataset.trainByUser.map((a) => Array.from(a)));
    const p = await previewImport(zip);
    expect([p.format, p.zip, p.rows.length, p.estimatedRows]).toEqual(["tsv-dir", true, 3, 6]);
    const notSplit = path.join(tmpRoot, "nosplit.zip");
    fs.writeFileSync(path.join(tmpRoot, "readme.txt"), "hello");
    execFileSync("zip", ["-q", notSplit, "readme.txt"], { cwd: tmpRoot });
    expect((await importError(runImport(notSplit, { name: "z", workDir: work() }))).message).toMatch(/no train\.tsv in the archive/);
  });
});

describe("splitInteractions", () => {
  // user 0: items 0..4 at times 10..14; user 1: items 0,1,2 with a time tie at the end
  const cols = new InteractionColumns();
  [
    [0, 0, 10],
    [0, 1, 11],
    [0, 2, 12],
    [0, 3, 13],
    [0, 4, 14],
    [1, 0, 5],
    [1, 1, 9],
    [1, 2, 9],
    [0, 0, 1],
  ].forEach(([u, i, t]) => cols.push(u, i, t));

  it("loo-time: latest is test, the one before validation; ties broken by seed", () => {
    const s = splitInteractions(cols, { kind: "loo-time" });
    expect([s.test[0], s.valid[0]]).toEqual([4, 3]);
    expect(Array.from(s.trainByUser[0])).toEqual([0, 1, 2]);
    expect(new Set([s.test[1], s.valid[1]])).toEqual(new Set([1, 2]));
    expect(s.counts).toMatchObject({ rows: 9, interactions: 8, train: 4, valid: 2, test: 2 });
    const seeds = new Set(Array.from({ length: 20 }, (_, seed) => splitInteractions(cols, { kind: "loo-time", seed }).test[1]));
    expect(seeds).toEqual(new Set([1, 2]));
  });

  it("loo-random: deterministic by seed, varies with it", () => {
    const a = splitInteractions(cols, { kind: "loo-random", seed: 3 });
    const b = splitInteractions(cols, { kind: "loo-random", seed: 3 });
    expect([a.test[0], a.valid[0]]).toEqual([b.test[0], b.valid[0]]);
    const tests = new Set(Array.from({ length: 30 }, (_, seed) => splitInteractions(cols, { kind: "loo-random", seed }).test[0]));
    expect(tests.size).toBeGreaterThan(2);
  });

  it("time-cutoff: the first interaction after the cut-off is test, later ones leave train, the last before is validation", () => {
    const cutoff = new Date(12.5 * 1000).toISOString();
    const s = splitInteractions(cols, { kind: "time-cutoff", cutoff });
    expect([s.test[0], s.valid[0]]).toEqual([3, 2]);
    expect(Array.from(s.trainByUser[0])).toEqual([0, 1]);
    expect(s.counts.afterCutoffNotHeldOut).toBe(1);
    // user 1 has nothing after the cut-off: no test item, the latest before it is validation
    expect(s.test[1]).toBe(-1);
    expect(s.valid[1]).toBeGreaterThanOrEqual(1);
    expect(() => splitInteractions(cols, { kind: "time-cutoff", cutoff: "not a date" })).toThrow(DatasetError);
  });
});

describe("interactions.tsv", () => {
  it("round-trips de-duplicated interactions with unknown times as empty cells", () => {
    const cols = new InteractionColumns();
    [
      [0, 1, 100],
      [0, 0, NaN],
      [2, 1, 1.5],
      [0, 1, 200],
    ].forEach(([u, i, t]) => cols.push(u, i, t));
    const s = splitInteractions(cols, { kind: "loo-random" }, { numUsers: 3, numItems: 2 });
    const f = path.join(tmpRoot, "interactions.tsv");
    writeInteractionsTsv(f, s.interactions);
    expect(fs.readFileSync(f, "utf8")).toBe("user\titem\ttimestamp\n0\t0\t\n0\t1\t200\n2\t1\t1.5\n");
    const back = readInteractionsTsv(f);
    expect(Array.from(back.users.subarray(0, back.length))).toEqual([0, 0, 2]);
    expect(Array.from(back.times.subarray(0, back.length))).toEqual([NaN, 200, 1.5]);
    fs.writeFileSync(f, "user\titem\ttimestamp\n0\tx\t1\n");
    expect(() => readInteractionsTsv(f)).toThrow("interactions.tsv:2: item is not a dense index");
  });

  it("stored beside a tsv-dir, loadTsvDir still reads the split", async () => {
    const r = await runImport(file("events.csv", GENERIC), { name: "shop", workDir: work() });
    const { writeTsvDir } = await import("@/lib/recsys/data/tsv-dir");
    const dir = path.join(tmpRoot, "stored");
    writeTsvDir(r.dataset, dir, (tmp) => writeInteractionsTsv(path.join(tmp, "interactions.tsv"), r.interactions));
    const back = loadTsvDir(dir);
    expect(back.userIds).toEqual(r.dataset.userIds);
    expect(Array.from(back.test)).toEqual(Array.from(r.dataset.test));
    expect(readInteractionsTsv(dir).length).toBe(9);
  });
});
