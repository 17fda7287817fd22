// peek(): the route without a promise once there is one, with the same refresh rule as current().
import { describe, expect, it } from "vitest";
import type { ModelSource, RoutingState } from "@/lib/db/serving";
import { ServingRouter } from "@/lib/serving/router";
import type { ServingModel } from "@/lib/serving/serving-model";

const source = (id: string): ModelSource => ({
  id,
  artifactUri: `/models/${id}`,
  dataset: { id: "d1", name: "d", source: "synthetic", sourcePath: null, storagePath: null },
});
const stateOf = (id: string, version: number): RoutingState => ({ production: { version, model: source(id) }, experiment: null, ignoredExperimentIds: [] });

describe("ServingRouter.peek", () => {
  it("is null before the first route, then answers the route and swaps in a changed one after a background refresh", async () => {
    let state = stateOf("m1", 1);
    let reads = 0;
    const router = new ServingRouter(
      async () => {
        reads++;
        return state;
      },
      async (s) => ({ id: s.id }) as ServingModel,
      { refreshMs: 0 }, // every route is due for a refresh at once
    );
    expect(router.peek()).toBeNull();
    expect(reads).toBe(0); // peek never starts the first load
    const first = await router.current();
    expect(first.production.id).toBe("m1");

    state = stateOf("m2", 2);
    const readsBefore = reads;
    expect(router.peek()).toBe(first); // the current route at once; the refresh runs behind it
    expect(router.peek()).toBe(first);
    expect(reads).toBe(readsBefore + 1); // one refresh in flight, not one a call
    const next = await router.refresh();
    expect(next.production.id).toBe("m2");
    expect(router.peek()?.production.id).toBe("m2");
  });
});
