import { describe, expect, it } from "vitest";
import { clickProbability, heldOutByUser, positionBias, reactTo } from "@/lib/experiments/simulator";
import { generateSynthetic } from "@/lib/recsys/data/synthetic";
import { Rng } from "@/lib/recsys/random";

const options = { noiseClickRate: 0, conversionRate: 0.5, revenueMean: 20 };
const items = Array.from({ length: 10 }, (_, i) => ({ itemId: `i${i}` }));

describe("simulator user model", () => {
  it("uses the DCG discount as position bias", () => {
    expect(positionBias(0)).toBe(1);
    expect(positionBias(2)).toBeCloseTo(0.5, 12);
    expect(clickProbability(2, false, 0.1)).toBeCloseTo(0.05, 12);
  });

  it("clicks only held-out items without noise, at the position-biased rate", () => {
    const rng = new Rng(1);
    const heldOut = new Set(["i2"]);
    let clicks = 0;
    const n = 5_000;
    for (let r = 0; r < n; r++) {
      const events = reactTo(rng, { requestId: `r${r}`, items }, "u", heldOut, options);
      for (const e of events) {
        if (e.type === "click") {
          expect(e.itemId).toBe("i2");
          clicks++;
        }
        if (e.type === "revenue") expect(e.value).toBeGreaterThanOrEqual(10);
      }
      // the ground-truth event: one per request, value 1 because i2 was shown
      expect(events.filter((e) => e.type === "custom")).toEqual([expect.objectContaining({ eventId: `heldout:r${r}`, value: 1, itemId: "i2" })]);
    }
    expect(clicks / n).toBeGreaterThan(0.47);
    expect(clicks / n).toBeLessThan(0.53);
  });

  it("derives idempotent event ids from the request", () => {
    const a = reactTo(new Rng(5), { requestId: "req", items }, "u", new Set(["i0"]), options);
    const b = reactTo(new Rng(5), { requestId: "req", items }, "u", new Set(["i0"]), options);
    expect(a.map((e) => e.eventId)).toEqual(b.map((e) => e.eventId));
    expect(new Set(a.map((e) => e.eventId)).size).toBe(a.length);
  });

  it("uses each user's valid and test items as held-out truth", () => {
    const ds = generateSynthetic({ seed: 1, numUsers: 30, numItems: 100 });
    const truth = heldOutByUser(ds);
    for (const [user, set] of truth) {
      const u = ds.userIds.indexOf(user);
      const expected = [ds.valid[u], ds.test[u]].filter((i) => i >= 0).map((i) => ds.itemIds[i]);
      expect([...set].sort()).toEqual([...new Set(expected)].sort());
    }
  });
});
