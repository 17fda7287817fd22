// The item side's flags (IR-RRD), shared by `npm run distill` and `npm run bench:distill`.
import { z } from "zod";
import { IR_ANCHORS, type IrConfig } from "../distill/rrd";
import { fractionFlag, positiveFlag } from "./common";

export const IR_FLAGS = {
  "ir-lambda": positiveFlag("a weight").optional(),
  "ir-anchors": z.enum(IR_ANCHORS, { error: `expected one of ${IR_ANCHORS.join(", ")}` }).optional(),
  "ir-anchor-share": fractionFlag("a share").optional(),
};

export const IR_USAGE = `  --ir-lambda <x>          λ_IR, weight of the item-side ranking loss in ir-rrd and de-ir-rrd (default 0.0005)
  --ir-anchors <s>         the item side's items each batch: batch (its positives and negatives) |
                           user-lists (every item of its users' RRD lists, as in the IR-RRD authors' code)
  --ir-anchor-share <x>    with user-lists: the share of those items kept, each weighted by its inverse`;

type IrFlags = { [K in keyof typeof IR_FLAGS]?: z.output<(typeof IR_FLAGS)[K]> };

/** the item-side settings the flags name (absent flags leave the preset's) */
export function irOptions(f: IrFlags): Partial<IrConfig> {
  return {
    ...(f["ir-lambda"] !== undefined && { lambda: f["ir-lambda"] }),
    ...(f["ir-anchors"] !== undefined && { anchors: f["ir-anchors"] }),
    ...(f["ir-anchor-share"] !== undefined && { anchorShare: f["ir-anchor-share"] }),
  };
}
