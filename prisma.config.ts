import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

// Engine-free Prisma: the CLI and the client talk to PostgreSQL through the pg driver adapter,
// so nothing is downloaded at install or migrate time.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  async adapter() {
    const connectionString = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
    // A short idle timeout lets the CLI exit as soon as it is done instead of waiting out the pool's 10 s default.
    return new PrismaPg({ connectionString, idleTimeoutMillis: 200 });
  },
});
