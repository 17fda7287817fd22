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
  if (!Number.isInteger(index) || index < 0 || index >= ds.numUsers) throw new DatasetError(`unknown user index ${index} (dataset ${ds.name} has ${ds.numUsers} users)`);
  return ds.userIds[index];
}

/** dense item index -> external id; throws DatasetError on an out-of-range index */
export function itemIdOf(ds: Dataset, index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= ds.numItems) throw new DatasetError(`unknown item index ${index} (dataset ${ds.name} has ${ds.numItems} items)`);
  return ds.itemIds[index];
}
