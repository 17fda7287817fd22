import { describe, expect, it } from "vitest";
import { FailureLimiter } from "@/lib/auth/rate-limit";
import { safeNextPath } from "@/lib/auth/redirects";

describe("post-sign-in redirect target", () => {
  it("keeps local paths with their query", () => {
    expect(safeNextPath("/jobs")).toBe("/jobs");
    expect(safeNextPath("/audit?entityType=user")).toBe("/audit?entityType=user");
  });

  it("refuses anything that could leave the site or loop", () => {
    for (const bad of [undefined, "", "https://evil.example", "//evil.example/x", "/\\evil.example", "jobs", "/sign-in?next=/x", "/api/jobs"]) {
      expect(safeNextPath(bad)).toBe("/");
    }
  });
});

describe("FailureLimiter", () => {
  it("blocks a key after the allowed failures until the window ends, and resets on demand", () => {
    const limiter = new FailureLimiter(3, 60_000);
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterMs("k", t0)).toBe(0);
      limiter.recordFailure("k", t0);
    }
    expect(limiter.retryAfterMs("k", t0 + 1000)).toBe(59_000);
    expect(limiter.retryAfterMs("other", t0 + 1000)).toBe(0);
    expect(limiter.retryAfterMs("k", t0 + 60_000)).toBe(0);

    limiter.recordFailure("k", t0 + 60_000);
    limiter.reset("k");
    expect(limiter.retryAfterMs("k", t0 + 60_001)).toBe(0);
  });
});
