// A student (or any BPR-MF model) exported for serving elsewhere: its user and item embeddings with their
// external ids, as .npy files + id lists (one id per line), or one .safetensors file holding tensors
// "users" and "items" with the id lists in its metadata (JSON arrays under "user_ids", "item_ids").
import type { ServableBpr } from "../models/servable";
import { encodeNpy } from "./npy";
import { encodeSafetensors } from "./safetensors";

export const EXPORT_FORMATS = ["npy", "safetensors"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** file name → bytes */
export function exportEmbeddings(model: ServableBpr, format: ExportFormat): Record<string, Uint8Array> {
  const m = model.model;
  const users = { rows: m.numUsers, cols: m.dim, data: m.users };
  const items = { rows: m.numItems, cols: m.dim, data: m.items };
  const ids = (xs: readonly string[]) => new TextEncoder().encode(xs.join("\n") + "\n");
  if (format === "npy") {
    return { "users.npy": encodeNpy(users), "items.npy": encodeNpy(items), "user_ids.txt": ids(model.userIds), "item_ids.txt": ids(model.itemIds) };
  }
  const metadata = {
    user_ids: JSON.stringify(model.userIds),
    item_ids: JSON.stringify(model.itemIds),
    method: String(model.manifest.method ?? ""),
    role: model.manifest.role,
  };
  return { "model.safetensors": encodeSafetensors({ users, items }, metadata), "user_ids.txt": ids(model.userIds), "item_ids.txt": ids(model.itemIds) };
}
