// `npm run replay:drift -- [--phase 1] [--new-items 0.3] [--base-url URL] [--api-key KEY]`
// Sends the demo world after drift (lib/db/demo-replay.ts driftedDemoEvents: the synthetic generator's
// drift mode at the demo dataset's seed and size) through POST /api/v1/events as clicks with timestamps,
// as an outside client would, so the closed loop has live data to fold into a snapshot and to check for
// drift (model page → "Fold live events now", "Check drift now"). On a demo install the production
// model's page does all of it without a key: "Replay drifted traffic (demo)".
import { parseArgs } from "node:util";
import { driftedDemoEvents } from "@/lib/services/demo-replay";
import { MAX_EVENTS_PER_BATCH } from "@/lib/http/requests";

const USAGE =
  "usage: npm run replay:drift -- [--phase 0..1 (default 1)] [--new-items 0..1 (default 0.3)] [--base-url http://127.0.0.1:3000] [--api-key <key> | env UNDERSTUDY_API_KEY]";

async function main() {
  const { values } = parseArgs({
    options: { phase: { type: "string" }, "new-items": { type: "string" }, "base-url": { type: "string" }, "api-key": { type: "string" } },
  });
  const share = (name: string, raw: string | undefined, fallback: number) => {
    const v = raw === undefined ? fallback : Number(raw);
    if (!(v >= 0 && v <= 1)) throw new Error(`--${name} must be a number between 0 and 1, got "${raw}"\n${USAGE}`);
    return v;
  };
  const phase = share("phase", values.phase, 1);
  const newItemFraction = share("new-items", values["new-items"], 0.3);
  const base = values["base-url"] ?? process.env.UNDERSTUDY_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
  const key = values["api-key"] ?? process.env.UNDERSTUDY_API_KEY;
  if (!key)
    throw new Error(
      `an API key with the events scope is needed (Admin → API keys); on a demo install the production model's page replays without one ("Replay drifted traffic (demo)")\n${USAGE}`,
    );
  const events = driftedDemoEvents({ phase, newItemFraction }, { runId: Date.now().toString(36), startMs: Date.now() - 3_600_000 });
  let accepted = 0;
  for (let k = 0; k < events.length; k += MAX_EVENTS_PER_BATCH) {
    const response = await fetch(`${base}/api/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ events: events.slice(k, k + MAX_EVENTS_PER_BATCH) }),
    });
    if (response.status !== 202) throw new Error(`POST /api/v1/events answered ${response.status}: ${await response.text()}`);
    accepted += ((await response.json()) as { accepted: number }).accepted;
    process.stdout.write(`\r${accepted}/${events.length} events accepted`);
  }
  console.log(`\nreplayed the demo world at drift phase ${phase} (${newItemFraction} new items): fold it from the production model's page`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
