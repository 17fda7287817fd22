// External id <-> dense index mapping: canonical ordering at load time, and lookups that fail clearly.
import type { Dataset } from "../types";
import { DatasetError } from "./errors";

/** Interns external id strings into provisional indices in order of first appearance. */
export class IdInterner {
  readonly ids: string[] = [];
  private readonly byString = new Map<string, number>();
  // integer ids (the common case) are looked up by value: hashing a fresh substring is the slow part
  private readonly byNumber = new Map<number, number>();

  intern(id: string): number {
    const n = smallCanonicalInt(id);
    const map: Map<string | number, number> = n >= 0 ? this.byNumber : this.byString;
    const key = n >= 0 ? n : id;
    let i = map.get(key);
    if (i === undefined) {
      i = this.ids.length;
      map.set(key, i);
      this.ids.push(id);
    }
    return i;
  }

  get size(): number {
    return this.ids.length;
  }
}

/** the value of a canonical non-negative integer of at most 9 digits ("0", "17"; not "017"), else -1 */
function smallCanonicalInt(id: string): number {
  const len = id.length;
  if (len === 0 || len > 9 || (len > 1 && id.charCodeAt(0) === 48)) return -1;
  let v = 0;
  for (let k = 0; k < len; k++) {
    const c = id.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

const CANONICAL_INT = /^(0|[1-9][0-9]{0,14})$/;

/** true when every id is a canonical non-negative integer ("0", "17", not "017" or "-1") */
export function allCanonicalIntegers(ids: readonly string[]): boolean {
  for (const id of ids) if (!CANONICAL_INT.test(id)) return false;
  return true;
}

/**
 * Dense order that depends only on the set of ids, not on file line order: numeric when every id is an
 * integer, else by code unit. Returns `remap[provisional] = dense` and the ids in dense order.
 */
export function canonicalOrder(ids: readonly string[]): { remap: Int32Array; ordered: string[] } {
  const order = Array.from(ids.keys());
  if (allCanonicalIntegers(ids)) order.sort((a, b) => Number(ids[a]) - Number(ids[b]));
  else order.sort((a, b) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));
  const remap = new Int32Array(ids.length);
  order.forEach((prov, dense) => (remap[prov] = dense));
  return { remap, ordered: order.map((p) => ids[p]) };
}

export interface IdMaps {
  user: ReadonlyMap<string, number>;
  item: ReadonlyMap<string, number>;
}

const mapsCache = new WeakMap<Dataset, IdMaps>();

/** external id -> dense index maps of a dataset (built once per dataset object) */
export function idMaps(ds: Dataset): IdMaps {
  let maps = mapsCache.get(ds);
  if (maps === undefined) {
    maps = {
      user: new Map(ds.userIds.map((id, i) => [id, i])),
      item: new Map(ds.itemIds.map((id, i) => [id, i])),
    };
    mapsCache.set(ds, maps);
  }
  return maps;
}

/** dense index of an external user id; throws DatasetError "unknown user 'x'" */
export function userIndexOf(ds: Dataset, externalId: string): number {
  const i = idMaps(ds).user.get(externalId);
  if (i === undefined) throw new DatasetError(`unknown user '${externalId}' (dataset ${ds.name} has ${ds.numUsers} users)`);
  return i;
}

/** dense index of an external item id; throws DatasetError "unknown item 'x'" */
export function itemIndexOf(ds: Dataset, externalId: string): number {
  const i = idMaps(ds).item.get(externalId);
  if (i === undefined) throw new DatasetError(`unknown item '${externalId}' (dataset ${ds.name} has ${ds.numItems} items)`);
  return i;
}

/** dense user index -> external id; throws DatasetError on an out-of-range index */
export function userIdOf(ds: Dataset, index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= ds.numUsers)
    throw new DatasetError(`unknown user index ${index} (dataset ${ds.name} has ${ds.numUsers} users)`);
  return ds.userIds[index];
}

/** dense item index -> external id; throws DatasetError on an out-of-range index */
export function itemIdOf(ds: Dataset, index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= ds.numItems)
    throw new DatasetError(`unknown item index ${index} (dataset ${ds.name} has ${ds.numItems} items)`);
  return ds.itemIds[index];
}

/**
 * Interns ids given as byte ranges (UTF-8) into provisional indices in order of first appearance, with
 * no string per row: an open-addressing table over a byte pool. What the streaming importers use.
 */
export class ByteInterner {
  private pool = new Uint8Array(1 << 16);
  private poolLength = 0;
  private starts = new Int32Array(1024);
  private lengths = new Int32Array(1024);
  private hashes = new Int32Array(1024);
  private table = new Int32Array(2048).fill(-1);
  // canonical integers ("0", "17", at most 9 digits) are looked up by value in a table of their own
  private numTable = new Int32Array(2048).fill(-1);
  private numValues = new Int32Array(1024);
  private numCount = 0;
  size = 0;

  intern(buf: Uint8Array, start: number, end: number): number {
    const len = end - start;
    if (len > 0 && len <= 9 && (len === 1 || buf[start] !== 48)) {
      let v = 0;
      let p = start;
      for (; p < end; p++) {
        const c = buf[p] - 48;
        if (c < 0 || c > 9) break;
        v = v * 10 + c;
      }
      if (p === end) return this.internNumber(v, buf, start, end);
    }
    return this.internBytes(buf, start, end);
  }

  private internNumber(v: number, buf: Uint8Array, start: number, end: number): number {
    const table = this.numTable;
    const mask = table.length - 1;
    let slot = (Math.imul(v, 0x9e3779b1) >>> 7) & mask;
    for (;;) {
      const id = table[slot];
      if (id < 0) break;
      if (this.numValues[id] === v) return id;
      slot = (slot + 1) & mask;
    }
    const id = this.add(buf, start, end, 0);
    if (id >= this.numValues.length) {
      const next = new Int32Array(this.starts.length);
      next.set(this.numValues);
      this.numValues = next;
    }
    this.numValues[id] = v;
    table[slot] = id;
    if (++this.numCount * 2 > table.length) {
      const t2 = new Int32Array(table.length * 2).fill(-1);
      const m2 = t2.length - 1;
      for (let k = 0; k < table.length; k++) {
        const i = table[k];
        if (i < 0) continue;
        let sl = (Math.imul(this.numValues[i], 0x9e3779b1) >>> 7) & m2;
        while (t2[sl] >= 0) sl = (sl + 1) & m2;
        t2[sl] = i;
      }
      this.numTable = t2;
    }
    return id;
  }

  private internBytes(buf: Uint8Array, start: number, end: number): number {
    let h = 0x811c9dc5 | 0;
    for (let p = start; p < end; p++) h = Math.imul(h ^ buf[p], 0x01000193);
    // murmur3 finaliser: FNV alone clusters on sequential integer ids
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    const len = end - start;
    const table = this.table;
    const mask = table.length - 1;
    let slot = h & mask;
    for (;;) {
      const id = table[slot];
      if (id < 0) break;
      if (this.hashes[id] === h && this.lengths[id] === len && this.sameBytes(id, buf, start, len)) return id;
      slot = (slot + 1) & mask;
    }
    const id = this.add(buf, start, end, h);
    table[slot] = id;
    this.byteCount++;
    if (this.byteCount * 2 > table.length) this.rehash();
    return id;
  }

  private byteCount = 0;

  private add(buf: Uint8Array, start: number, end: number, h: number): number {
    const len = end - start;
    const id = this.size;
    if (id === this.starts.length) this.growEntries();
    if (this.poolLength + len > this.pool.length) {
      const next = new Uint8Array(Math.max(this.pool.length * 2, this.poolLength + len));
      next.set(this.pool.subarray(0, this.poolLength));
      this.pool = next;
    }
    this.pool.set(buf.subarray(start, end), this.poolLength);
    this.starts[id] = this.poolLength;
    this.lengths[id] = len;
    this.hashes[id] = h;
    this.poolLength += len;
    this.size++;
    return id;
  }

  /** the id string of a provisional index */
  id(k: number): string {
    return Buffer.from(this.pool.buffer, this.pool.byteOffset, this.poolLength).toString("utf8", this.starts[k], this.starts[k] + this.lengths[k]);
  }

  /** every id string, by provisional index */
  ids(): string[] {
    const pool = Buffer.from(this.pool.buffer, this.pool.byteOffset, this.poolLength);
    const out = new Array<string>(this.size);
    for (let k = 0; k < this.size; k++) out[k] = pool.toString("utf8", this.starts[k], this.starts[k] + this.lengths[k]);
    return out;
  }

  private sameBytes(id: number, buf: Uint8Array, start: number, len: number): boolean {
    const pool = this.pool;
    const at = this.starts[id];
    for (let k = 0; k < len; k++) if (pool[at + k] !== buf[start + k]) return false;
    return true;
  }

  private growEntries(): void {
    const cap = this.starts.length * 2;
    const grow = (a: Int32Array) => {
      const next = new Int32Array(cap);
      next.set(a);
      return next;
    };
    this.starts = grow(this.starts);
    this.lengths = grow(this.lengths);
    this.hashes = grow(this.hashes);
  }

  private rehash(): void {
    const old = this.table;
    const table = new Int32Array(old.length * 2).fill(-1);
    const mask = table.length - 1;
    for (let k = 0; k < old.length; k++) {
      const id = old[k];
      if (id < 0) continue;
      let slot = this.hashes[id] & mask;
      while (table[slot] >= 0) slot = (slot + 1) & mask;
      table[slot] = id;
    }
    this.table = table;
  }
}
