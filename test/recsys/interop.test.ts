import { describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { encodeNpy, parseNpy } from "@/lib/recsys/interop/npy";
import { encodeSafetensors, parseSafetensors } from "@/lib/recsys/interop/safetensors";
import { parseIdList } from "@/lib/recsys/interop/ids";
import { teacherFromEmbeddings, type EmbeddingTeacherFiles } from "@/lib/recsys/interop/teacher-embeddings";
import { loadRankedLists, parseRankedLists, saveRankedLists } from "@/lib/recsys/interop/ranked-lists";
import { exportEmbeddings } from "@/lib/recsys/interop/export";
import { ImportError } from "@/lib/recsys/interop/errors";
import { generateSynthetic } from "@/lib/recsys/data/synthetic";
import { distillStudent } from "@/lib/recsys/pipeline";
import type { Dataset } from "@/lib/recsys/types";
import { handDataset } from "../helpers/datasets";

// written by numpy 2.4.6: np.save of np.asfortranarray([[1.5,-2],[0.25,3],[4,5.5]], float64), and of
// np.array([[1,2,3],[4,5,6]], float32)
const NPY_F8_FORTRAN =
  "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMywgMiksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAD4PwAAAAAAANA/AAAAAAAAEEAAAAAAAAAAwAAAAAAAAAhAAAAAAAAAFkA=";
const NPY_F4 =
  "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAIA/AAAAQAAAQEAAAIBAAACgQAAAwEA=";
const b64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));
const text = (s: string) => new TextEncoder().encode(s);

function tinyDataset(): Dataset {
  return handDataset({
    name: "tiny",
    userIds: ["alice", "bob", "carol"],
    itemIds: ["i0", "i1", "i2", "i3"],
    trainByUser: [Int32Array.of(0), Int32Array.of(1, 2), Int32Array.of(3)],
  });
}

describe(".npy", () => {
  it("reads numpy's own files (float64, Fortran order; float32) and writes the bytes numpy writes", () => {
    const f8 = parseNpy(b64(NPY_F8_FORTRAN), "a.npy", "userEmbeddings");
    expect([f8.rows, f8.cols]).toEqual([3, 2]);
    expect(Array.from(f8.data)).toEqual([1.5, -2, 0.25, 3, 4, 5.5]);
    const f4 = parseNpy(b64(NPY_F4), "b.npy", "userEmbeddings");
    expect(Array.from(f4.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Buffer.from(encodeNpy(f4)).toString("base64")).toBe(NPY_F4);
  });

  it("rejects truncated files, NaNs, other dtypes and shapes, naming the file", () => {
    const good = b64(NPY_F4);
    expect(() => parseNpy(good.subarray(0, good.length - 3), "u.npy", "f")).toThrow(
      /u\.npy: truncated: shape \(2, 3\) needs 24 bytes of data, the file has 21/,
    );
    expect(() => parseNpy(good.subarray(0, 40), "u.npy", "f")).toThrow(/truncated header/);
    const nan = encodeNpy({ rows: 2, cols: 2, data: Float32Array.of(1, 2, NaN, 4) });
    expect(() => parseNpy(nan, "u.npy", "f")).toThrow(/value NaN at row 1, column 0/);
    const i8 = Buffer.from(good);
    i8.write("<i8", i8.indexOf("<f4"), "latin1");
    expect(() => parseNpy(i8, "u.npy", "f")).toThrow(/dtype <i8 is not supported/);
    const flat = encodeNpy({ rows: 1, cols: 3, data: Float32Array.of(1, 2, 3) });
    const oneD = Buffer.from(flat);
    oneD.write("(3,)  ", oneD.indexOf("(1, 3)"), "latin1");
    expect(() => parseNpy(oneD, "u.npy", "f")).toThrow(/not a 2-D matrix/);
    expect(() => parseNpy(text("hello world!"), "u.npy", "f")).toThrow(/not a \.npy file/);
    try {
      parseNpy(nan, "u.npy", "userEmbeddings");
    } catch (e) {
      expect(e).toBeInstanceOf(ImportError);
      expect((e as ImportError).field).toBe("userEmbeddings");
    }
  });
});

describe(".safetensors", () => {
  it("reads a file laid out by the format's spec (8-byte LE header length, JSON header, F32/F64 data) and round-trips its own", () => {
    // by hand: tensor "users" F64 [2, 1] = [0.5, -1], tensor "items" F32 [1, 1] = [2]
    const header = JSON.stringify({
      users: { dtype: "F64", shape: [2, 1], data_offsets: [0, 16] },
      items: { dtype: "F32", shape: [1, 1], data_offsets: [16, 20] },
      __metadata__: { k: "v" },
    });
    const h = text(header);
    const buf = new Uint8Array(8 + h.length + 20);
    const view = new DataView(buf.buffer);
    view.setBigUint64(0, BigInt(h.length), true);
    buf.set(h, 8);
    view.setFloat64(8 + h.length, 0.5, true);
    view.setFloat64(8 + h.length + 8, -1, true);
    view.setFloat32(8 + h.length + 16, 2, true);
    const parsed = parseSafetensors(buf, "t.safetensors", "f");
    expect(Array.from(parsed.tensors.get("users")!.data)).toEqual([0.5, -1]);
    expect(Array.from(parsed.tensors.get("items")!.data)).toEqual([2]);
    expect(parsed.metadata).toEqual({ k: "v" });
    expect(() => parseSafetensors(buf.subarray(0, buf.length - 2), "t.safetensors", "f")).toThrow(/truncated: tensor "items" ends at byte 20/);
    const own = encodeSafetensors({ a: { rows: 2, cols: 2, data: Float32Array.of(1, 2, 3, 4) } }, { ids: '["é"]' });
    expect(new DataView(own.buffer).getBigUint64(0, true) % 8n).toBe(0n);
    const back = parseSafetensors(own, "own.safetensors", "f");
    expect(Array.from(back.tensors.get("a")!.data)).toEqual([1, 2, 3, 4]);
    expect(back.metadata.ids).toBe('["é"]');
    expect(() => parseSafetensors(encodeSafetensors({ a: { rows: 1, cols: 2, data: Float32Array.of(1, Infinity) } }), "x.safetensors", "f")).toThrow(
      /value Infinity at row 0, column 1/,
    );
  });
});

describe("id lists", () => {
  it("one per line or a JSON array; empty and repeated ids are errors with their line", () => {
    expect(parseIdList("a\nb\r\nc\n", "ids.txt", "f")).toEqual(["a", "b", "c"]);
    expect(parseIdList('["a", 7]', "ids.json", "f")).toEqual(["a", "7"]);
    expect(() => parseIdList("a\n\nb\n", "ids.txt", "f")).toThrow(/ids\.txt:2: empty id/);
    expect(() => parseIdList("a\nb\na\n", "ids.txt", "f")).toThrow(/"a" at line 3 is listed twice \(first at line 1\)/);
    expect(() => parseIdList('["a", "b"', "ids.json", "f")).toThrow(/not a valid JSON array \(truncated\?\)/);
  });
});

describe("teacher from embeddings", () => {
  const ds = tinyDataset();
  // rows in another order than the dataset's: bob, carol, alice / i3, i2, i1, i0
  const U = { rows: 3, cols: 2, data: Float32Array.of(1, 0, 0, 1, 1, 1) };
  const V = { rows: 4, cols: 2, data: Float32Array.of(3, 0, 2, 0, 0, 2, 0, 3) };
  const files = (over: Partial<EmbeddingTeacherFiles> = {}): EmbeddingTeacherFiles => ({
    userEmbeddings: { name: "users.npy", bytes: encodeNpy(U) },
    userIds: { name: "user_ids.txt", bytes: text("bob\ncarol\nalice\n") },
    itemEmbeddings: { name: "items.safetensors", bytes: encodeSafetensors({ items: V }) },
    itemIds: { name: "item_ids.txt", bytes: text("i3\ni2\ni1\ni0\n") },
    ...over,
  });

  it("places each row at its id's dense index and scores by inner product", () => {
    const t = teacherFromEmbeddings(ds, files());
    expect(t.dim).toBe(2);
    expect(Array.from(t.model.users)).toEqual([1, 1, 1, 0, 0, 1]); // alice, bob, carol
    expect(Array.from(t.model.items)).toEqual([0, 3, 0, 2, 2, 0, 3, 0]); // i0..i3
    const scores = new Float32Array(4);
    t.scoreUser(1, scores); // bob = (1, 0): i3 scores 3
    expect(Array.from(scores)).toEqual([0, 0, 2, 3]);
    expect(t.manifest.role).toBe("teacher");
  });

  it("unknown ids, missing ids, row/id count and dimension mismatches are errors naming the input", () => {
    const err = (f: EmbeddingTeacherFiles) => {
      try {
        teacherFromEmbeddings(ds, f);
      } catch (e) {
        return e as ImportError;
      }
      throw new Error("no error");
    };
    let e = err(files({ userIds: { name: "user_ids.txt", bytes: text("bob\ncarol\nzoe\n") } }));
    expect(e.field).toBe("userIds");
    expect(e.message).toMatch(/1 user id\(s\) not in dataset tiny, e\.g\. "zoe"/);
    e = err(files({ userIds: { name: "user_ids.txt", bytes: text("bob\ncarol\n") } }));
    expect(e.message).toMatch(/users\.npy has 3 rows but user_ids\.txt lists 2 ids/);
    e = err(
      files({
        userEmbeddings: { name: "users.npy", bytes: encodeNpy({ rows: 2, cols: 2, data: Float32Array.of(1, 0, 0, 1) }) },
        userIds: { name: "u.txt", bytes: text("bob\ncarol\n") },
      }),
    );
    expect(e.message).toMatch(/no embedding for 1 of the dataset's 3 users, e\.g\. "alice"/);
    e = err(files({ itemEmbeddings: { name: "items.npy", bytes: encodeNpy({ rows: 4, cols: 3, data: new Float32Array(12) }) } }));
    expect(e.field).toBe("itemEmbeddings");
    expect(e.message).toMatch(/dimension 2, item embeddings 3/);
    e = err(files({ itemEmbeddings: { name: "items.pt", bytes: text("x") } }));
    expect(e.message).toMatch(/expected a \.npy or \.safetensors file/);
  });

  it("a student exported as .npy or .safetensors comes back as the same model", async () => {
    const t = teacherFromEmbeddings(ds, files());
    for (const format of ["npy", "safetensors"] as const) {
      const out = exportEmbeddings(t, format);
      const emb = format === "npy" ? ["users.npy", "items.npy"] : ["model.safetensors", "model.safetensors"];
      const back = teacherFromEmbeddings(ds, {
        userEmbeddings: { name: emb[0], bytes: out[emb[0]] },
        itemEmbeddings: { name: emb[1], bytes: out[emb[1]] },
        userIds: { name: "user_ids.txt", bytes: out["user_ids.txt"] },
        itemIds: { name: "item_ids.txt", bytes: out["item_ids.txt"] },
      });
      expect(Array.from(back.model.users)).toEqual(Array.from(t.model.users));
      expect(Array.from(back.model.items)).toEqual(Array.from(t.model.items));
    }
  });
});

describe("teacher from ranked lists", () => {
  const ds = tinyDataset();

  it("CSV (header optional) and JSONL give each user's list in rank order, training items dropped", () => {
    const csv = "user,item,rank\nalice,i2,2\nalice,i0,1\nalice,i3,3\nbob,i3,1\n";
    const t = parseRankedLists(csv, "csv", ds, "top.csv");
    // alice: i0 is hers in training, dropped; bob: i3; carol: none
    expect(t.N).toBe(2);
    expect(Array.from(t.lists)).toEqual([2, 3, 3, -1, -1, -1]);
    expect(t.usersCovered).toBe(2);
    expect(Array.from(t.topN(1))).toEqual([2, 3, -1]);
    const jsonl = '{"user":"alice","item":"i3","rank":1}\n{"user":"carol","item":"i0","rank":1}\n';
    expect(Array.from(parseRankedLists(jsonl, "jsonl", ds, "top.jsonl").lists)).toEqual([3, -1, 0]);
  });

  it("unknown ids, bad or repeated ranks and truncated lines are errors with the line", () => {
    expect(() => parseRankedLists("alice,i9,1\n", "csv", ds, "top.csv")).toThrow(/top\.csv:1: item "i9" is not in dataset tiny/);
    expect(() => parseRankedLists("alice,i1,1\nzed,i1,1\n", "csv", ds, "top.csv")).toThrow(/top\.csv:2: user "zed"/);
    expect(() => parseRankedLists("alice,i1,0\n", "csv", ds, "top.csv")).toThrow(/rank must be an integer >= 1/);
    expect(() => parseRankedLists("alice,i1,1\nalice,i2,1\n", "csv", ds, "top.csv")).toThrow(/top\.csv:2: user "alice" has rank 1 twice \(also line 1\)/);
    expect(() => parseRankedLists("alice,i1,1\nalice,i2", "csv", ds, "top.csv")).toThrow(/top\.csv:2: expected 3 comma-separated fields.*truncated/);
    expect(() => parseRankedLists('{"user":"alice","item":"i1","rank":1}\n{"user":"al', "jsonl", ds, "top.jsonl")).toThrow(
      /top\.jsonl:2: not valid JSON \(file truncated\?\)/,
    );
    expect(() => parseRankedLists("alice,i0,1\n", "csv", ds, "top.csv")).toThrow(/nothing to distill/);
  });

  it("saved and loaded as a directory; rrd distills from it, DE and IR-RRD say they need embeddings", async () => {
    const syn = generateSynthetic({ seed: 2, numUsers: 60, numItems: 80 });
    const lines = ["user,item,rank"];
    for (let u = 0; u < syn.numUsers; u++) for (let r = 1; r <= 15; r++) lines.push(`${syn.userIds[u]},${syn.itemIds[(u * 7 + r * 3) % syn.numItems]},${r}`);
    const parsed = parseRankedLists(lines.join("\n"), "csv", syn, "top.csv");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ranked-"));
    await saveRankedLists(dir, parsed, { datasetName: syn.name, source: "top.csv" });
    const t = await loadRankedLists(dir);
    expect(Array.from(t.lists)).toEqual(Array.from(parsed.lists));
    const opts = { dim: 4, epochs: 2, evalEvery: 1, rrd: { topN: 15, K: 5, L: 5 } };
    const s = await distillStudent(syn, t, { ...opts, method: "rrd" });
    expect(s.history.every((h) => (h.loss.rrd ?? 0) > 0)).toBe(true);
    expect(s.config.teacherKind).toBe("ranked-lists");
    const rd = await distillStudent(syn, t, { ...opts, method: "rd" });
    expect(rd.history.every((h) => (h.loss.rd ?? 0) > 0)).toBe(true);
    await expect(distillStudent(syn, t, { ...opts, method: "de-rrd" })).rejects.toThrow(/needs the teacher's embeddings: DE maps the student/);
    await expect(distillStudent(syn, t, { ...opts, method: "ir-rrd" })).rejects.toThrow(/IR-RRD ranks users per item/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
