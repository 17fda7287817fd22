// The fast acceptance of /api/v1/recommend bodies agrees with the zod schema: whatever it accepts, the
// schema accepts with the same output; what it declines goes to the schema.
import { describe, expect, it } from "vitest";
import { Rng } from "@/lib/recsys/random";
import { acceptRecommendBody, RecommendBody } from "@/lib/serving/recommend-http";

const strings = ["u1", "  padded  ", "", " ", "a\u0000b", "x".repeat(256), "x".repeat(257), ` ${"y".repeat(256)} `, "ünï", "\t\n"];
const numbers = [0, 1, 2.5, 10, 100, 101, -3, 1e308, 5];

function randomBody(rng: Rng): unknown {
  const pick = <T>(xs: T[]) => xs[rng.int(xs.length)];
  if (rng.next() < 0.05) return pick([null, [], "text", 7, true]);
  const body: Record<string, unknown> = {};
  if (rng.next() < 0.9) body.userId = rng.next() < 0.85 ? pick(strings) : pick([3, null, ["u"], {}]);
  if (rng.next() < 0.9) body.k = rng.next() < 0.85 ? pick(numbers) : pick(["5", null, true]);
  if (rng.next() < 0.4) {
    body.exclude =
      rng.next() < 0.8
        ? Array.from({ length: rng.next() < 0.05 ? 1001 : rng.int(4) }, () => (rng.next() < 0.9 ? pick(["i1", "i2", "", "z".repeat(257)]) : 4))
        : pick([null, "i1", {}]);
  }
  if (rng.next() < 0.2) body.extra = "ignored";
  return body;
}

describe("acceptRecommendBody", () => {
  it("accepts only what RecommendBody accepts, with the same output", () => {
    const rng = new Rng(23);
    let accepted = 0;
    let declined = 0;
    for (let trial = 0; trial < 5000; trial++) {
      const body = randomBody(rng);
      const fast = acceptRecommendBody(body);
      const schema = RecommendBody.safeParse(body);
      if (fast) {
        accepted++;
        expect(schema.success).toBe(true);
        expect(fast).toEqual(schema.data);
      } else {
        declined++;
        // on these bodies it declines only what the schema rejects too
        if (schema.success) throw new Error(`declined a valid body: ${JSON.stringify(body)}`);
      }
    }
    expect(accepted).toBeGreaterThan(200);
    expect(declined).toBeGreaterThan(200);
  });
});
