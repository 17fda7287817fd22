// The distillation methods and what each combines; no heavy imports, so route handlers and forms can use it.
export const DISTILL_METHODS = ["none", "rd", "de", "rrd", "de-rrd", "ir-rrd", "de-ir-rrd"] as const;
export type DistillMethod = (typeof DISTILL_METHODS)[number];

/** how reports name a method's student ("DE-RRD student") */
export const METHOD_NAMES: Record<DistillMethod, string> = {
  none: "Undistilled",
  rd: "RD",
  de: "DE",
  rrd: "RRD",
  "de-rrd": "DE-RRD",
  "ir-rrd": "IR-RRD",
  "de-ir-rrd": "DE-IR-RRD",
};

/** the parts a method combines: DE's experts, RRD's user side, IR-RRD's item side, RD */
export function methodParts(m: DistillMethod): { de: boolean; rrd: boolean; ir: boolean; rd: boolean } {
  return {
    de: m === "de" || m === "de-rrd" || m === "de-ir-rrd",
    rrd: m === "rrd" || m === "de-rrd" || m === "ir-rrd" || m === "de-ir-rrd",
    ir: m === "ir-rrd" || m === "de-ir-rrd",
    rd: m === "rd",
  };
}

/** why a teacher that is only ranked lists cannot run `method` (null when it can) */
export function rankedTeacherProblem(method: DistillMethod): string | null {
  const parts = methodParts(method);
  if (parts.de)
    return `method ${method} needs the teacher's embeddings: DE maps the student into the teacher's representation space, which ranked lists do not carry (use rd or rrd, or import the teacher's embeddings)`;
  if (parts.ir)
    return `method ${method} needs the teacher's embeddings: IR-RRD ranks users per item by the teacher's scores, which per-user lists do not give (use rd or rrd, or import the teacher's embeddings)`;
  return null;
}
