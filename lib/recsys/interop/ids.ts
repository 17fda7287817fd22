// Id lists beside embedding matrices: one id per line (UTF-8 text), or a JSON array of strings/numbers.
import { ImportError } from "./errors";

export function parseIdList(text: string, name: string, field: string): string[] {
  const t = text.replace(/^\uFEFF/, "");
  if (t.trimStart().startsWith("[")) {
    let arr: unknown;
    try {
      arr = JSON.parse(t);
    } catch {
      throw new ImportError(`${name}: starts with "[" but is not a valid JSON array (truncated?)`, field);
    }
    if (!Array.isArray(arr)) throw new ImportError(`${name}: not a JSON array`, field);
    const ids = arr.map((x, i) => {
      if (typeof x !== "string" && typeof x !== "number") throw new ImportError(`${name}: entry ${i} is not a string or number`, field);
      return String(x);
    });
    return checkUnique(ids, name, field, (i) => `entry ${i}`);
  }
  const lines = t.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  lines.forEach((id, i) => {
    if (id.trim() === "") throw new ImportError(`${name}:${i + 1}: empty id`, field);
  });
  return checkUnique(
    lines.map((s) => s.trim()),
    name,
    field,
    (i) => `line ${i + 1}`,
  );
}

function checkUnique(ids: string[], name: string, field: string, where: (i: number) => string): string[] {
  if (ids.length === 0) throw new ImportError(`${name}: no ids`, field);
  const seen = new Map<string, number>();
  ids.forEach((id, i) => {
    const first = seen.get(id);
    if (first !== undefined) throw new ImportError(`${name}: id "${id}" at ${where(i)} is listed twice (first at ${where(first)})`, field);
    seen.set(id, i);
  });
  return ids;
}
