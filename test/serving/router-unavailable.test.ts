import { describe, expect, it } from "vitest";
import type { ModelSource, RoutingState } from "@/lib/db/serving";
import { ProductionModelUnavailableError, ServingRouter } from "@/lib/serving/router";

const unloadable: ModelSource = {
  id: "m-broken",
  artifactUri: "/nowhere",
  dataset: { id: "d1", name: "no files", source: "synthetic", sourcePath: null, storagePath: null },
};
const state: RoutingState = { production: { version: 1, model: unloadable }, experiment: null, ignoredExperimentIds: [] };

describe("a production model that cannot be loaded", () => {
  it("is a ProductionModelUnavailableError naming the model and the cause, not a bare error", async () => {
    const logged: string[] = [];
    const router = new ServingRouter(
      async () => state,
      async () => {
        throw new Error("dataset d1 (no files) has neither a stored copy nor a source path");
      },
      { log: (message) => logged.push(message) },
    );
    const failure = await router.current().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProductionModelUnavailableError);
    expect((failure as Error).message).toMatch(/m-broken cannot be loaded: dataset d1 \(no files\) has neither a stored copy/);
    expect(logged.join("\n")).toMatch(/production model m-broken failed to load; nothing to serve yet/);
  });
});
