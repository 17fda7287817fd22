// Input checks for the hand-written ops, as TensorFlow.js ops check theirs: every input is named, its
// dtype and shape are checked before any arithmetic, and a mismatch throws one error naming the op, the
// input and what was expected. Tensors are flat typed arrays in row-major order.

type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;
type TypedArrayConstructor = { readonly name: string; new (length: number): TypedArray };

export class OpInputError extends Error {
  constructor(op: string, input: string, message: string) {
    super(`${op}: input '${input}' ${message}`);
    this.name = "OpInputError";
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of ${(value as TypedArray).length} values`;
  if (Array.isArray(value)) return `an array of ${value.length} values`;
  return `a ${typeof value}`;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * `value` must be a `dtype` array holding `shape` (row-major); with `atLeast`, a longer buffer whose leading
 * `shape` part is used also passes (reused scratch).
 */
export function checkTensor(
  op: string,
  input: string,
  value: unknown,
  dtype: TypedArrayConstructor,
  shape: readonly number[],
  opts: { atLeast?: boolean } = {},
): void {
  const want = size(shape);
  const ok = value instanceof dtype && (opts.atLeast ? value.length >= want : value.length === want);
  if (!ok) {
    const bound = opts.atLeast ? `at least [${shape.join(", ")}]` : `[${shape.join(", ")}]`;
    throw new OpInputError(op, input, `must be a ${dtype.name} of shape ${bound} (${want} values), got ${describe(value)}`);
  }
}

/** A plain list of numbers (any array-like) of exactly `length` entries. */
export function checkVector(op: string, input: string, value: unknown, length?: number): asserts value is ArrayLike<number> {
  const isList = Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
  if (!isList || (length !== undefined && (value as ArrayLike<number>).length !== length)) {
    throw new OpInputError(op, input, `must be a list of ${length ?? "n"} numbers, got ${describe(value)}`);
  }
}

/** A finite number within [min, max] (`exclusiveMin`: strictly above min), a whole number with `integer`. */
export function checkScalar(
  op: string,
  input: string,
  value: unknown,
  range: { min?: number; max?: number; exclusiveMin?: boolean; integer?: boolean } = {},
): asserts value is number {
  const { min = -Infinity, max = Infinity, exclusiveMin = false, integer = false } = range;
  const ok =
    typeof value === "number" &&
    Number.isFinite(value) &&
    (integer ? Number.isInteger(value) : true) &&
    (exclusiveMin ? value > min : value >= min) &&
    value <= max;
  if (!ok) {
    const lower = Number.isFinite(min) ? `${exclusiveMin ? ">" : "≥"} ${min}` : "";
    const upper = Number.isFinite(max) ? `≤ ${max}` : "";
    const bounds = [lower, upper].filter(Boolean).join(" and ");
    throw new OpInputError(op, input, `must be a finite ${integer ? "whole number" : "number"}${bounds ? ` ${bounds}` : ""}, got ${String(value)}`);
  }
}
