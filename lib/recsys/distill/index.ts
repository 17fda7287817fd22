// Distillation methods as Distillers on the BPR training loop: none | de | rrd | de-rrd | rd | ir-rrd | de-ir-rrd.
import type { Dataset, ProgressFn } from "../types";
import type { Rng } from "../random";
import type { BprModel } from "../models/bpr";
import type { AdamConfig } from "../models/optim";
import type { Distiller } from "../models/train";
import { getTf } from "../backend";
import { DeDistiller, type DeConfig } from "./de";
import { deExpertModule } from "./de-kernel";
import { IR_DEFAULTS, RrdDistiller, RRD_DEFAULTS, type IrConfig, type RrdConfig } from "./rrd";
import { RrdKernel } from "./rrd-kernel";
import { RdDistiller, RD_DEFAULTS, type RdConfig } from "./rd";
import { JsEngine, pickFasterEngine, TfEngine, WasmKernelEngine, type MatmulEngine } from "./engine";
import { teacherTopN, teacherTopNUsers } from "./teacher";
import { adamKernel } from "../kernels/adam";
import { RankedListTeacher } from "../interop/ranked-lists";
import { methodParts, rankedTeacherProblem, type DistillMethod } from "./methods";

export { DISTILL_METHODS, methodParts, rankedTeacherProblem, type DistillMethod } from "./methods";

export type EngineChoice = "auto" | "tfjs" | "typed-arrays";

export interface DistillSetup {
  method: DistillMethod;
  de?: Partial<DeConfig>;
  rrd?: Partial<RrdConfig>;
  /** IR-RRD's item side (RRD's fields and which items carry it; defaults IR_DEFAULTS) */
  ir?: Partial<IrConfig>;
  rd?: Partial<RdConfig>;
  /** dense expert math: measured choice (default), or forced */
  engine?: EngineChoice;
}

/** the engine for the DE expert math; "auto" times both on the expert's real shapes ([rows, hidden, teacher dim]) */
export async function chooseEngine(
  choice: EngineChoice = "auto",
  shape?: [number, number, number],
): Promise<{ engine: MatmulEngine; timings: Record<string, number> }> {
  if (choice === "typed-arrays") return { engine: new JsEngine(), timings: {} };
  const tf = await getTf();
  if (choice === "tfjs") return { engine: WasmKernelEngine.create(tf) ?? new TfEngine(tf), timings: {} };
  return pickFasterEngine(tf, shape);
}

export async function createDistillers(
  setup: DistillSetup,
  ds: Dataset,
  /** a BPR-MF teacher (every method), or its ranked lists only (rd, rrd) */
  teacher: BprModel | RankedListTeacher,
  studentDim: number,
  adam: AdamConfig & { batchSize: number },
  rng: Rng,
  progress?: ProgressFn,
): Promise<{ distillers: Distiller[]; engine: string | null; engineTimings: Record<string, number> }> {
  const parts = methodParts(setup.method);
  if (teacher instanceof RankedListTeacher) {
    const problem = rankedTeacherProblem(setup.method);
    if (problem) throw new RangeError(problem);
    const distillers: Distiller[] = [];
    if (parts.rrd) {
      const cfg = { ...RRD_DEFAULTS, ...setup.rrd };
      cfg.topN = Math.min(cfg.topN, teacher.N);
      distillers.push(new RrdDistiller(ds, teacher.topN(cfg.topN), cfg, await RrdKernel.create(ds.numUsers, ds.numItems, studentDim, cfg.K + cfg.L)));
    }
    if (parts.rd) {
      const cfg = { ...RD_DEFAULTS, ...setup.rd };
      distillers.push(new RdDistiller(ds, teacher.topN(cfg.K), cfg.K, cfg));
    }
    return { distillers, engine: null, engineTimings: {} };
  }
  const batchSize = adam.batchSize;
  const distillers: Distiller[] = [];
  let engine: string | null = null;
  let engineTimings: Record<string, number> = {};
  if (parts.de) {
    // typical rows per expert: a batch has ≈ 2.7 × batchSize unique entities (CiteULike), spread over M experts
    const experts = setup.de?.experts ?? 30;
    const rows = Math.max(4, Math.round((2.7 * batchSize) / experts));
    const picked = await chooseEngine(setup.engine, [rows, Math.floor((studentDim + teacher.dim) / 2), teacher.dim]);
    engineTimings = picked.timings;
    const de = new DeDistiller(teacher, studentDim, setup.de ?? {}, adam, rng.fork(), picked.engine, await adamKernel(), await deExpertModule());
    // the experts run on the wasm SIMD kernel when it compiled; the selection nets always use the engine
    engine = de.expertMath === picked.engine.name ? de.expertMath : `experts ${de.expertMath}, selection ${picked.engine.name}`;
    distillers.push(de);
  }
  let userSide: RrdDistiller | null = null;
  if (parts.rrd) {
    const cfg = { ...RRD_DEFAULTS, ...setup.rrd };
    const top = await teacherTopN(teacher, ds, cfg.topN, progress);
    userSide = new RrdDistiller(ds, top, cfg, await RrdKernel.create(ds.numUsers, ds.numItems, studentDim, cfg.K + cfg.L));
    distillers.push(userSide);
  }
  if (parts.ir) {
    const { anchors, anchorShare, ...cfg } = { ...IR_DEFAULTS, ...setup.ir };
    const top = await teacherTopNUsers(teacher, ds, cfg.topN, progress);
    const kernel = await RrdKernel.create(ds.numUsers, ds.numItems, studentDim, cfg.K + cfg.L);
    const lists = anchors === "user-lists" && userSide ? { from: userSide, share: anchorShare } : null;
    distillers.push(new RrdDistiller(ds, top, cfg, kernel, "item", lists));
  }
  if (parts.rd) {
    const cfg = { ...RD_DEFAULTS, ...setup.rd };
    const top = await teacherTopN(teacher, ds, cfg.K, progress);
    distillers.push(new RdDistiller(ds, top, cfg.K, cfg));
  }
  return { distillers, engine, engineTimings };
}
