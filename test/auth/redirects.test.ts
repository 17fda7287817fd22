import { describe, expect, it } from "vitest";
import { safeNextPath } from "@/lib/auth/redirects";

describe("post-sign-in redirect target", () => {
  it("keeps local paths with their query", () => {
    expect(safeNextPath("/jobs")).toBe("/jobs");
    expect(safeNextPath("/audit?entityType=user")).toBe("/audit?entityType=user");
  });

  it("refuses anything that could leave the site or loop", () => {
    for (const bad of [
      undefined,
      "",
      "https://evil.example",
      "//evil.example/x",
      "/\\evil.example",
      "jobs",
      "/sign-in?next=/x",
      "/api/jobs",
      "/%09/evil.example",
      "/\t/evil.example",
      "/%2F/evil.example",
      "/%5Cevil.example",
      "/\n/evil",
      "/%0a/evil",
      "/%E0%A4%A",
    ]) {
      expect(safeNextPath(bad)).toBe("/");
    }
  });
});
