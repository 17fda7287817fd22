// The route handler files under app/ and the HTTP methods a handler may export, for the tests that
// check the route table and the OpenAPI document against them.
import { readdirSync, statSync } from "node:fs";
import path from "node:path";

export const APP_DIR = path.resolve(import.meta.dirname, "../../app");
export const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** every route.ts below dir */
export function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return routeFiles(full);
    return name === "route.ts" ? [full] : [];
  });
}
