import { describe, expect, it } from "vitest";
import { hyperparametersSchema } from "@/lib/jobs/definitions";

const issuesOf = (value: unknown) => {
  const parsed = hyperparametersSchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("training hyperparameters: the item side's knobs", () => {
  it("accepts RRD's knobs and which items carry the item side", () => {
    const value = { ir: { lambda: 0.0005, K: 20, anchors: "user-lists", anchorShare: 0.1 }, rrd: { sampling: "top-k" } };
    expect(hyperparametersSchema.parse(value)).toEqual(value);
  });

  it("refuses a share outside (0, 1], an unknown item set, and item-side knobs on the user side, each by its field", () => {
    expect(issuesOf({ ir: { anchorShare: 0 } })).toEqual(["ir.anchorShare: anchorShare must be above 0"]);
    expect(issuesOf({ ir: { anchorShare: 1.5 } })).toEqual(["ir.anchorShare: anchorShare must be at most 1"]);
    expect(issuesOf({ ir: { anchors: "all" } })[0]).toMatch(/^ir\.anchors: /);
    expect(issuesOf({ rrd: { anchors: "user-lists" } })[0]).toMatch(/^rrd: .*anchors/);
  });
});
