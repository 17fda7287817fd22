import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  contentHash,
  datasetStats,
  DatasetError,
  detectFormat,
  gini,
  idMaps,
  itemIdOf,
  itemIndexOf,
  loadDataset,
  loadInteractionsCsv,
  loadMovieLens,
  loadTsvDir,
  userIdOf,
  writeTsvDir,
  userIndexOf,
} from "@/lib/recsys/data";
import type { Dataset } from "@/lib/recsys/types";

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "understudy-data-"));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let dirCount = 0;

/** a fresh directory holding the given files */
function fixture(files: Record<string, string>): string {
  const dir = path.join(tmpRoot, `d${dirCount++}`);
  fs.mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const tsv = (rows: [string | number, string | number][]) => "user\titem\n" + rows.map(([u, i]) => `${u}\t${i}\n`).join("");

/** the DatasetError thrown by fn (fails the test when nothing or something else is thrown) */
function datasetError(fn: () => unknown): DatasetError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DatasetError);
    return err as DatasetError;
  }
  throw new Error("expected a DatasetError");
}

function pairs(ds: Dataset): string[] {
  const out: string[] = [];
  ds.trainByUser.forEach((items, u) => items.forEach((i) => out.push(`${ds.userIds[u]}:${ds.itemIds[i]}`)));
  return out.sort();
}

describe("loadTsvDir", () => {
  const dir = fixture({
    "train.tsv": tsv([
      [0, 3],
      [0, 1],
      [0, 3],
      [2, 0],
      [2, 1],
      [2, 2],
    ]),
    "valid.tsv": tsv([
      [0, 0],
      [2, 4],
    ]),
    "test.tsv": "user\titem\r\n0\t2\r\n2\t5\r\n",
  });

  it("keeps integer ids as dense indices, sorts and de-duplicates train, reads held-out items", () => {
    const ds = loadTsvDir(dir);
    expect(ds.numUsers).toBe(3); // user 1 has no rows but is covered by max id + 1
    expect(ds.numItems).toBe(6);
    expect(ds.userIds).toEqual(["0", "1", "2"]);
    expect(Array.from(ds.trainByUser[0])).toEqual([1, 3]);
    expect(Array.from(ds.trainByUser[1])).toEqual([]);
    expect(Array.from(ds.trainByUser[2])).toEqual([0, 1, 2]);
    expect(Array.from(ds.valid)).toEqual([0, -1, 4]);
    expect(Array.from(ds.test)).toEqual([2, -1, 5]); // CRLF tolerated
    expect(ds.source).toMatchObject({ kind: "tsv-dir", path: dir });
  });

  it("accepts declared catalogue sizes and rejects ones smaller than the ids used", () => {
    const ds = loadTsvDir(dir, { numUsers: 10, numItems: 8 });
    expect([ds.numUsers, ds.numItems, ds.valid.length, ds.trainByUser.length]).toEqual([10, 8, 10, 10]);
    expect(datasetError(() => loadTsvDir(dir, { numItems: 4 })).message).toMatch(/declared 4 items but the files use item id 5/);
  });

  it("maps string ids canonically, independent of line order", () => {
    const rows: [string, string][] = [
      ["bob", "x"],
      ["amy", "y"],
      ["amy", "z"],
      ["bob", "y"],
    ];
    const a = loadTsvDir(fixture({ "train.tsv": tsv(rows), "valid.tsv": tsv([["amy", "x"]]), "test.tsv": tsv([["bob", "w"]]) }));
    const b = loadTsvDir(fixture({ "train.tsv": tsv([...rows].reverse()), "valid.tsv": tsv([["amy", "x"]]), "test.tsv": tsv([["bob", "w"]]) }));
    expect(a.userIds).toEqual(["amy", "bob"]);
    expect(a.itemIds).toEqual(["w", "x", "y", "z"]);
    expect(b.userIds).toEqual(a.userIds);
    expect(b.trainByUser.map((t) => Array.from(t))).toEqual(a.trainByUser.map((t) => Array.from(t)));
    expect(contentHash(b)).toBe(contentHash(a));
  });

  it("names file and line in its errors", () => {
    const ok = { "valid.tsv": tsv([[0, 0]]), "test.tsv": tsv([[0, 1]]) };
    const cases: [Record<string, string>, RegExp, number | undefined][] = [
      [{ ...ok, "train.tsv": "user\titem\n0\t2\n0\t3\n7\n" }, /^train\.tsv:4: expected 2 tab-separated columns, got 1$/, 4],
      [{ ...ok, "train.tsv": "user\titem\n0\t2\t9\n" }, /^train\.tsv:2: expected 2 tab-separated columns, got 3$/, 2],
      [{ ...ok, "train.tsv": "0\t2\n0\t3\n" }, /^train\.tsv:1: expected header 'user<TAB>item', got '0\t2'$/, 1],
      [{ ...ok, "train.tsv": "user\titem\n0\t2\nuser\titem\n0\t3\n" }, /^train\.tsv:3: header 'user<TAB>item' repeated/, 3],
      [{ ...ok, "train.tsv": "user\titem\n0\t2\n\t3\n" }, /^train\.tsv:3: empty user id$/, 3],
      [{ ...ok, "train.tsv": "user\titem\n" }, /^train\.tsv: no interactions/, undefined],
      [{ ...ok, "train.tsv": "" }, /^train\.tsv: empty file/, undefined],
      [
        {
          ...ok,
          "train.tsv": tsv([
            [0, 2],
            [0, 1],
          ]),
        },
        /^test\.tsv:2: pair \(user '0', item '1'\) is also in train\.tsv/,
        2,
      ],
      [
        {
          ...ok,
          "train.tsv": tsv([[0, 2]]),
          "valid.tsv": tsv([
            [0, 0],
            [0, 3],
          ]),
        },
        /^valid\.tsv:3: user '0' already has a held-out item \(line 2\)/,
        3,
      ],
      [{ ...ok, "train.tsv": tsv([[0, 2]]), "test.tsv": tsv([[0, 0]]) }, /^test\.tsv:2: pair \(user '0', item '0'\) is also in valid\.tsv/, 2],
    ];
    for (const [files, message, line] of cases) {
      const err = datasetError(() => loadTsvDir(fixture(files)));
      expect(err.message).toMatch(message);
      expect(err.line).toBe(line);
    }
  });

  it("reports missing files and directories", () => {
    const noTest = fixture({ "train.tsv": tsv([[0, 1]]), "valid.tsv": tsv([[0, 2]]) });
    expect(datasetError(() => loadTsvDir(noTest)).message).toMatch(/missing test\.tsv/);
    expect(datasetError(() => loadTsvDir(path.join(tmpRoot, "nope"))).message).toMatch(/not a directory/);
  });
});

describe("writeTsvDir (stored datasets)", () => {
  const original = loadInteractionsCsv(
    fixture({ "events.csv": "user,item,timestamp\nann,x,1\nann,y,2\nann,z,3\nbob,y,1\nbob,z,2\nbob,w,3\ncy,x,1\n" }).concat("/events.csv"),
    { seed: 3 },
  );

  it("reads back the same dataset with its external ids, through loadTsvDir and loadDataset", () => {
    const dir = path.join(tmpRoot, `stored${dirCount++}`);
    writeTsvDir(original, dir);
    expect(fs.readFileSync(path.join(dir, "train.tsv"), "utf8").split("\n")[1]).toMatch(/^\d+\t\d+$/);
    for (const back of [loadTsvDir(dir), loadDataset(dir)]) {
      expect([back.numUsers, back.numItems]).toEqual([original.numUsers, original.numItems]);
      expect(back.userIds).toEqual(original.userIds);
      expect(back.itemIds).toEqual(original.itemIds);
      expect(pairs(back)).toEqual(pairs(original));
      expect(Array.from(back.valid)).toEqual(Array.from(original.valid));
      expect(Array.from(back.test)).toEqual(Array.from(original.test));
    }
  });

  it("names ids.json when it does not fit the files", () => {
    const dir = path.join(tmpRoot, `stored${dirCount++}`);
    writeTsvDir(original, dir);
    fs.writeFileSync(path.join(dir, "ids.json"), JSON.stringify({ userIds: ["only-one"], itemIds: original.itemIds }));
    expect(datasetError(() => loadTsvDir(dir)).message).toMatch(/ids\.json/);
    fs.writeFileSync(path.join(dir, "ids.json"), "{not json");
    expect(datasetError(() => loadTsvDir(dir)).message).toMatch(/^ids\.json: not valid JSON/);
  });
});

describe("id maps", () => {
  const ds = loadInteractionsCsv(path.join(fixture({ "x.csv": "user,item\nalice,b1\nalice,b2\nalice,b3\nbob,b2\ncarol,b9\n" }), "x.csv"));

  it("round-trips every external id through its dense index", () => {
    ds.userIds.forEach((id, u) => {
      expect(userIndexOf(ds, id)).toBe(u);
      expect(userIdOf(ds, u)).toBe(id);
    });
    ds.itemIds.forEach((id, i) => {
      expect(itemIndexOf(ds, id)).toBe(i);
      expect(itemIdOf(ds, i)).toBe(id);
    });
    expect(idMaps(ds).user.size).toBe(3);
    expect(idMaps(ds)).toBe(idMaps(ds)); // built once
  });

  it("rejects unknown ids and indices with a clear DatasetError", () => {
    expect(datasetError(() => userIndexOf(ds, "x")).message).toMatch(/^unknown user 'x'/);
    expect(datasetError(() => itemIndexOf(ds, "b7")).message).toMatch(/^unknown item 'b7'/);
    expect(datasetError(() => userIdOf(ds, 3)).message).toMatch(/^unknown user index 3/);
    expect(datasetError(() => itemIdOf(ds, -1)).message).toMatch(/^unknown item index -1/);
  });
});

describe("loadMovieLens", () => {
  const ratings = [
    "userId,movieId,rating,timestamp",
    // user 1: five positives; latest (t=50) is test, second latest (t=40) valid; movie 60 is below threshold
    "1,10,5.0,10",
    "1,20,4.0,50",
    "1,30,4.5,20",
    "1,40,4.0,40",
    "1,50,5.0,30",
    "1,60,3.5,60",
    // user 2: two positives only -> everything stays in train
    "2,10,4.0,5",
    "2,30,4.0,6",
    "2,40,2.0,7",
  ].join("\n");
  const file = path.join(fixture({ "ratings.csv": ratings }), "ratings.csv");

  it("keeps ratings at the threshold and holds out the latest two per user", () => {
    const ds = loadMovieLens(file, { minRating: 4 });
    const item = (id: string) => itemIndexOf(ds, id);
    const u1 = userIndexOf(ds, "1");
    const u2 = userIndexOf(ds, "2");
    expect(ds.itemIds).toEqual(["10", "20", "30", "40", "50"]); // 60 never reaches the threshold
    expect(ds.test[u1]).toBe(item("20"));
    expect(ds.valid[u1]).toBe(item("40"));
    expect(Array.from(ds.trainByUser[u1])).toEqual([item("10"), item("30"), item("50")]);
    expect([ds.valid[u2], ds.test[u2]]).toEqual([-1, -1]);
    expect(Array.from(ds.trainByUser[u2])).toEqual([item("10"), item("30")]);
    expect(ds.source).toMatchObject({ kind: "movielens", params: { minRating: 4, seed: 0 } });
    // a lower threshold brings movie 60 in as user 1's latest
    expect(loadMovieLens(file, { minRating: 3 }).test[u1]).toBe(5);
  });

  it("names file and line for malformed rows and refuses an empty result", () => {
    const bad = (text: string) => path.join(fixture({ "ratings.csv": text }), "ratings.csv");
    expect(datasetError(() => loadMovieLens(bad("userId,movieId,rating,timestamp\n1,2,4,9\n1,3,x,9\n"))).message).toBe(
      "ratings.csv:3: rating 'x' is not a number",
    );
    expect(datasetError(() => loadMovieLens(bad("userId,movieId,rating,timestamp\n1,2,4\n"))).message).toMatch(
      /^ratings\.csv:2: expected 4 comma-separated columns/,
    );
    expect(datasetError(() => loadMovieLens(bad("user,item\n1,2\n"))).message).toMatch(/^ratings\.csv:1: expected header 'userId,movieId,rating,timestamp'/);
    expect(datasetError(() => loadMovieLens(bad("userId,movieId,rating,timestamp\n1,2,4,9\nuserId,movieId,rating,timestamp\n"))).message).toMatch(
      /^ratings\.csv:3: header repeated/,
    );
    expect(datasetError(() => loadMovieLens(bad("userId,movieId,rating,timestamp\n1,2,2,9\n"))).message).toMatch(/none of the 1 ratings is >= 4/);
    expect(datasetError(() => loadMovieLens(bad(""))).message).toMatch(/no ratings/);
  });
});

describe("loadInteractionsCsv", () => {
  it("detects the delimiter and header, and splits by timestamp (ISO dates too)", () => {
    const file = path.join(
      fixture({ "events.csv": "user_id;item_id;timestamp\nu1;a;2024-01-03\nu1;b;2024-01-01\nu1;c;2024-01-02\nu1;d;2023-12-31\n" }),
      "events.csv",
    );
    const ds = loadInteractionsCsv(file);
    expect(ds.source.params).toMatchObject({ delimiter: ";", header: true });
    expect(ds.itemIds[ds.test[0]]).toBe("a");
    expect(ds.itemIds[ds.valid[0]]).toBe("c");
    expect(Array.from(ds.trainByUser[0], (i) => ds.itemIds[i])).toEqual(["b", "d"]);
  });

  it("collapses repeated pairs to their latest time", () => {
    const file = path.join(fixture({ "e.tsv": "u\ta\t1\nu\tb\t2\nu\tc\t3\nu\ta\t9\n" }), "e.tsv");
    const ds = loadInteractionsCsv(file);
    expect(ds.source.params).toMatchObject({ delimiter: "\t", header: false });
    expect(ds.itemIds[ds.test[0]]).toBe("a");
    expect(ds.itemIds[ds.valid[0]]).toBe("c");
  });

  it("without timestamps holds out random items, reproducibly by seed", () => {
    const rows = Array.from({ length: 40 }, (_, u) => Array.from({ length: 8 }, (_, i) => `user${u},item${(u + i * 3) % 50}`).join("\n"));
    const file = path.join(fixture({ "x.csv": rows.join("\n") + "\n" }), "x.csv");
    const a = loadInteractionsCsv(file, { seed: 1 });
    const b = loadInteractionsCsv(file, { seed: 1 });
    const c = loadInteractionsCsv(file, { seed: 2 });
    expect(Array.from(a.test)).toEqual(Array.from(b.test));
    expect(Array.from(a.test)).not.toEqual(Array.from(c.test));
    for (let u = 0; u < a.numUsers; u++) {
      expect(a.trainByUser[u].length).toBe(6);
      expect(a.valid[u]).not.toBe(a.test[u]);
      expect(Array.from(a.trainByUser[u])).not.toContain(a.test[u]);
    }
    // the split is a function of content: shuffled lines give the same dataset
    const shuffled = path.join(fixture({ "x.csv": [...rows].reverse().join("\n") }), "x.csv");
    expect(contentHash(loadInteractionsCsv(shuffled, { seed: 1 }))).toBe(contentHash(a));
  });

  it("names file and line for malformed rows", () => {
    const bad = (text: string) => path.join(fixture({ "bad.csv": text }), "bad.csv");
    expect(datasetError(() => loadInteractionsCsv(bad("a,b\nc,d,1\n"))).message).toBe(
      "bad.csv:2: expected 2 comma-separated columns like the first row, got 3",
    );
    expect(datasetError(() => loadInteractionsCsv(bad("a,b,1,2\n"))).message).toMatch(/^bad\.csv:1: expected 2 or 3 comma-separated columns/);
    expect(datasetError(() => loadInteractionsCsv(bad("a,b,1\nc,d,yesterday\n"))).message).toBe(
      "bad.csv:2: timestamp 'yesterday' is neither a number nor a date",
    );
    expect(datasetError(() => loadInteractionsCsv(bad("user,item\na,b\nuser,item\n"))).message).toMatch(/^bad\.csv:3: header repeated/);
    expect(datasetError(() => loadInteractionsCsv(bad("\n\n"))).message).toMatch(/empty file/);
    expect(datasetError(() => loadInteractionsCsv(bad("user,item\n"))).message).toMatch(/no interactions/);
  });
});

describe("loadDataset", () => {
  it("picks the loader from what it finds", () => {
    const tsvDir = fixture({ "train.tsv": tsv([[0, 1]]), "valid.tsv": tsv([]), "test.tsv": tsv([]) });
    const mlDir = fixture({ "ratings.csv": "userId,movieId,rating,timestamp\n1,2,5,1\n" });
    const csv = path.join(fixture({ "i.csv": "1,2\n" }), "i.csv");
    expect(detectFormat(tsvDir).format).toBe("tsv-dir");
    expect(detectFormat(mlDir)).toEqual({ format: "movielens", file: path.join(mlDir, "ratings.csv") });
    expect(detectFormat(path.join(mlDir, "ratings.csv")).format).toBe("movielens");
    expect(detectFormat(csv).format).toBe("csv");
    expect(loadDataset(tsvDir).source.kind).toBe("tsv-dir");
    expect(loadDataset(mlDir).source.kind).toBe("movielens");
    expect(loadDataset(csv).source.kind).toBe("csv");
    expect(datasetError(() => loadDataset(fixture({}))).message).toMatch(/no dataset found/);
    expect(datasetError(() => loadDataset(path.join(tmpRoot, "missing.csv"))).message).toMatch(/no such file or directory/);
    expect(datasetError(() => loadDataset(tsvDir, { format: "csv" })).message).toMatch(/cannot read \(EISDIR\)/);
  });
});

describe("datasetStats", () => {
  it("counts interactions, density and the popularity Gini", () => {
    const dir = fixture({
      "train.tsv": tsv([
        [0, 0],
        [0, 1],
        [1, 0],
        [2, 0],
      ]),
      "valid.tsv": tsv([[0, 2]]),
      "test.tsv": tsv([[0, 3]]),
    });
    const s = datasetStats(loadTsvDir(dir));
    expect(s).toMatchObject({ users: 3, items: 4, interactions: 6, trainInteractions: 4, testUsers: 1, validUsers: 1, coldItems: 2 });
    expect(s.density).toBeCloseTo(6 / 12);
    // training counts [3, 1, 0, 0]: Gini = 2·(1·0+2·0+3·1+4·3)/(4·4) − 5/4 = 30/16 − 20/16
    expect(s.popularityGini).toBeCloseTo(10 / 16);
    expect(gini([5, 5, 5])).toBe(0);
  });
});

const repoRoot = path.resolve(import.meta.dirname, "../..");
const citeulike = path.resolve(repoRoot, "../shared/datasets/citeulike-a");
const haveCiteulike = fs.existsSync(path.join(citeulike, "train.tsv"));
if (!haveCiteulike) console.warn(`skipping CiteULike test: ${citeulike} not found`);

describe.skipIf(!haveCiteulike)("CiteULike-a (authors' split)", () => {
  it("loads with the README's row counts", () => {
    const ds = loadDataset(citeulike);
    const s = datasetStats(ds);
    expect(s.trainInteractions).toBe(115_142);
    expect(s.validUsers).toBe(5_219);
    expect(s.testUsers).toBe(5_219);
    // ids in the rows go up to 5218 / 25180 (the README declares 5,220 / 25,182, which can be passed in)
    expect([ds.numUsers, ds.numItems]).toEqual([5_219, 25_181]);
    expect(pairs(ds).length).toBe(115_142);
    const declared = loadDataset(citeulike, { numUsers: 5_220, numItems: 25_182 });
    expect([declared.numUsers, declared.numItems]).toEqual([5_220, 25_182]);
  });
});
