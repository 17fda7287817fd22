// Serving cost per 1,000 requests of an arm.
//
//   cpu    = mean CPU seconds per request × price per vCPU-hour / 3600 × 1000
//   memory = model size (GiB) × price per GiB-hour × window hours / all requests in the window × 1000
//
// The memory part spreads the cost of keeping the arm's model resident for the window over the whole
// traffic of the window (both arms), i.e. what the model's memory would cost per 1,000 requests if it
// served everything at today's volume. Dividing by the arm's own requests instead would make a 1% arm
// look 100× more expensive than it would be after the cutover.
//
// Prices come from the environment (UNDERSTUDY_VCPU_HOUR_USD, UNDERSTUDY_GIB_HOUR_USD); the defaults are
// typical on-demand cloud prices.

export interface Prices {
  vcpuHourUsd: number;
  gibHourUsd: number;
}

export const DEFAULT_PRICES: Prices = { vcpuHourUsd: 0.05, gibHourUsd: 0.005 };

function positive(value: string | undefined, fallback: number): number {
  const n = value === undefined ? NaN : Number(value);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

export function pricesFromEnv(env: Record<string, string | undefined> = process.env): Prices {
  return {
    vcpuHourUsd: positive(env.UNDERSTUDY_VCPU_HOUR_USD, DEFAULT_PRICES.vcpuHourUsd),
    gibHourUsd: positive(env.UNDERSTUDY_GIB_HOUR_USD, DEFAULT_PRICES.gibHourUsd),
  };
}

export function costPer1k(args: { meanCpuMs: number; modelBytes: number; windowHours: number; totalRequests: number; prices: Prices }): {
  cpu: number;
  memory: number;
  total: number;
} {
  const cpu = (args.meanCpuMs / 1000 / 3600) * args.prices.vcpuHourUsd * 1000;
  const memory = args.totalRequests > 0 ? ((args.modelBytes / 2 ** 30) * args.prices.gibHourUsd * args.windowHours * 1000) / args.totalRequests : 0;
  return { cpu, memory, total: cpu + memory };
}
