// Traffic simulator: replays users of a dataset through the real HTTP API and reacts to what it is shown
// with the users' held-out future interactions (their valid and test items), so the arms of an experiment
// differ by how well they really rank, not by noise.
//
// For each request the user sees k items. At 0-based position p an item is clicked with probability
//   bias(p) · (relevant ? 1 : noiseClickRate),   bias(p) = 1 / log2(p + 2)
// (the DCG discount as position bias), where relevant = the item is one of the user's held-out items.
// A clicked relevant item converts with probability conversionRate and a conversion carries a revenue
// event (value ~ revenueMean · U(0.5, 1.5)). Every request also carries the held-out ground truth as one
// custom event "heldout:<requestId>" with value 1 when a held-out item was recommended, else 0 (the
// convention the reports read, lib/experiments/kpis.ts). Events go to /api/v1/events in batches, with
// eventIds derived from the requestId so a retried batch is idempotent.
import { Rng } from "@/lib/recsys/random";
import { HELDOUT_EVENT_PREFIX } from "./kpis";
import type { Dataset } from "@/lib/recsys/types";

export interface SimulatorOptions {
  baseUrl: string;
  apiKey: string;
  dataset: Dataset;
  /** distinct users replayed (sampled by seed among users with held-out items) */
  users: number;
  /** target request rate */
  rps: number;
  durationSeconds: number;
  /** only report traffic of this experiment as such (others are tallied but flagged) */
  experimentId?: string;
  k?: number;
  seed?: number;
  /** most requests in flight at once */
  concurrency?: number;
  noiseClickRate?: number;
  conversionRate?: number;
  revenueMean?: number;
  eventBatchSize?: number;
  /** injected transport (tests route it to the handlers in-process); defaults to global fetch */
  fetch?: typeof fetch;
  onProgress?: (progress: SimulationProgress) => void;
}

export interface SimulationProgress {
  sent: number;
  total: number;
  errors: number;
}

export interface VariantTally {
  requests: number;
  /** requests answered with at least one held-out item in the list */
  hits: number;
  itemsShown: number;
  clicks: number;
  conversions: number;
  revenue: number;
  users: number;
  /** client-side latency of /recommend, ms */
  latencyP50Ms: number;
  latencyP95Ms: number;
  modelIds: string[];
}

export interface SimulationSummary {
  experimentId: string | null;
  requests: number;
  errors: number;
  /** error messages by kind (status or exception), at most a few examples each */
  errorSamples: string[];
  events: { sent: number; accepted: number; duplicates: number; rejected: number; failedBatches: number };
  variants: Record<string, VariantTally>;
  /** experiment ids seen in responses (normally just the one asked for) */
  experimentIdsSeen: string[];
  elapsedSeconds: number;
}

export interface SimEvent {
  eventId: string;
  type: "click" | "conversion" | "revenue" | "custom";
  userId: string;
  itemId?: string;
  requestId: string;
  value?: number;
  timestamp: string;
}

export function positionBias(position: number): number {
  return 1 / Math.log2(position + 2);
}

export function clickProbability(position: number, relevant: boolean, noiseClickRate: number): number {
  return positionBias(position) * (relevant ? 1 : noiseClickRate);
}

/** The events one user generates for one response (pure given the rng). */
export function reactTo(
  rng: Rng,
  response: { requestId: string; items: readonly { itemId: string }[] },
  userId: string,
  heldOut: ReadonlySet<string>,
  options: { noiseClickRate: number; conversionRate: number; revenueMean: number; now?: Date },
): SimEvent[] {
  const timestamp = (options.now ?? new Date()).toISOString();
  const events: SimEvent[] = [];
  if (heldOut.size > 0) {
    const hit = response.items.find((item) => heldOut.has(item.itemId));
    events.push({
      eventId: `${HELDOUT_EVENT_PREFIX}${response.requestId}`,
      type: "custom",
      userId,
      requestId: response.requestId,
      ...(hit ? { itemId: hit.itemId } : {}),
      value: hit ? 1 : 0,
      timestamp,
    });
  }
  response.items.forEach(({ itemId }, position) => {
    const relevant = heldOut.has(itemId);
    if (rng.next() >= clickProbability(position, relevant, options.noiseClickRate)) return;
    const base = { userId, itemId, requestId: response.requestId, timestamp };
    events.push({ ...base, eventId: `${response.requestId}:${position}:click`, type: "click" });
    if (relevant && rng.next() < options.conversionRate) {
      events.push({ ...base, eventId: `${response.requestId}:${position}:conversion`, type: "conversion" });
      const value = Math.round(options.revenueMean * (0.5 + rng.next()) * 100) / 100;
      events.push({ ...base, eventId: `${response.requestId}:${position}:revenue`, type: "revenue", value });
    }
  });
  return events;
}

/** users with at least one held-out item, with those items as external ids */
export function heldOutByUser(dataset: Dataset): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (let u = 0; u < dataset.numUsers; u++) {
    const items = [dataset.valid[u], dataset.test[u]].filter((i) => i >= 0).map((i) => dataset.itemIds[i]);
    if (items.length > 0) out.set(dataset.userIds[u], new Set(items));
  }
  return out;
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

interface RecommendAnswer {
  requestId: string;
  items: { itemId: string; score: number }[];
  experimentId?: string;
  variant: string;
  modelId: string;
}

export class SimulationError extends Error {}

export async function runSimulation(options: SimulatorOptions): Promise<SimulationSummary> {
  const k = options.k ?? 10;
  const rng = new Rng(options.seed ?? 1);
  const concurrency = options.concurrency ?? 32;
  const eventBatchSize = options.eventBatchSize ?? 500;
  const reaction = {
    noiseClickRate: options.noiseClickRate ?? 0.01,
    conversionRate: options.conversionRate ?? 0.3,
    revenueMean: options.revenueMean ?? 20,
  };
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, "");
  const headers = { "content-type": "application/json", authorization: `Bearer ${options.apiKey}` };

  const heldOut = heldOutByUser(options.dataset);
  const pool = [...heldOut.keys()];
  if (pool.length === 0) throw new SimulationError("the dataset has no user with a held-out (valid/test) item to simulate");
  rng.shuffle(pool);
  const users = pool.slice(0, Math.min(options.users, pool.length));
  const total = Math.max(1, Math.round(options.rps * options.durationSeconds));

  const tallies = new Map<
    string,
    { t: Omit<VariantTally, "latencyP50Ms" | "latencyP95Ms" | "users" | "modelIds">; latencies: number[]; users: Set<string>; models: Set<string> }
  >();
  const summary: SimulationSummary = {
    experimentId: options.experimentId ?? null,
    requests: 0,
    errors: 0,
    errorSamples: [],
    events: { sent: 0, accepted: 0, duplicates: 0, rejected: 0, failedBatches: 0 },
    variants: {},
    experimentIdsSeen: [],
    elapsedSeconds: 0,
  };
  const seenExperiments = new Set<string>();
  const recordError = (message: string) => {
    summary.errors++;
    if (summary.errorSamples.length < 5 && !summary.errorSamples.includes(message)) summary.errorSamples.push(message);
  };

  let pendingEvents: SimEvent[] = [];
  const eventPosts = new Set<Promise<void>>();
  const postEvents = (batch: SimEvent[]) => {
    const post = (async () => {
      summary.events.sent += batch.length;
      try {
        const response = await doFetch(`${base}/api/v1/events`, { method: "POST", headers, body: JSON.stringify({ events: batch }) });
        const body = (await response.json()) as { accepted?: number; duplicates?: number; rejected?: unknown[]; message?: string };
        if (response.status !== 202) {
          summary.events.failedBatches++;
          recordError(`events: HTTP ${response.status} ${body.message ?? ""}`.trim());
          return;
        }
        summary.events.accepted += body.accepted ?? 0;
        summary.events.duplicates += body.duplicates ?? 0;
        summary.events.rejected += body.rejected?.length ?? 0;
      } catch (error) {
        summary.events.failedBatches++;
        recordError(`events: ${(error as Error).message}`);
      }
    })();
    eventPosts.add(post);
    void post.finally(() => eventPosts.delete(post));
  };

  const one = async (userId: string, reactionRng: Rng) => {
    const started = performance.now();
    let answer: RecommendAnswer;
    try {
      const response = await doFetch(`${base}/api/v1/recommend`, { method: "POST", headers, body: JSON.stringify({ userId, k }) });
      if (response.status !== 200) {
        const text = await response.text();
        recordError(`recommend: HTTP ${response.status} ${text.slice(0, 200)}`);
        if (response.status === 401 || response.status === 403)
          throw new SimulationError(`the API key was refused (HTTP ${response.status}): ${text.slice(0, 200)}`);
        return;
      }
      answer = (await response.json()) as RecommendAnswer;
    } catch (error) {
      if (error instanceof SimulationError) throw error;
      if ((error as { cause?: { code?: string } }).cause?.code === "ECONNREFUSED") {
        throw new SimulationError(`nothing answers at ${base}: start the app (npm start) or pass --base-url`);
      }
      recordError(`recommend: ${(error as Error).message}`);
      return;
    }
    const latency = performance.now() - started;
    summary.requests++;
    if (answer.experimentId) seenExperiments.add(answer.experimentId);
    let tally = tallies.get(answer.variant);
    if (!tally) {
      tally = { t: { requests: 0, hits: 0, itemsShown: 0, clicks: 0, conversions: 0, revenue: 0 }, latencies: [], users: new Set(), models: new Set() };
      tallies.set(answer.variant, tally);
    }
    const truth = heldOut.get(userId) ?? new Set<string>();
    tally.t.requests++;
    tally.t.itemsShown += answer.items.length;
    if (answer.items.some((item) => truth.has(item.itemId))) tally.t.hits++;
    tally.latencies.push(latency);
    tally.users.add(userId);
    tally.models.add(answer.modelId);
    const events = reactTo(reactionRng, answer, userId, truth, reaction);
    for (const event of events) {
      if (event.type === "click") tally.t.clicks++;
      else if (event.type === "conversion") tally.t.conversions++;
      else if (event.type === "revenue") tally.t.revenue += event.value ?? 0;
    }
    pendingEvents.push(...events);
    if (pendingEvents.length >= eventBatchSize) {
      postEvents(pendingEvents);
      pendingEvents = [];
    }
  };

  // open-loop schedule at `rps`, bounded by `concurrency` requests in flight
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  let fatal: unknown = null;
  for (let sent = 0; sent < total && fatal === null; sent++) {
    const due = started + (sent * 1000) / options.rps;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    const userId = users[rng.int(users.length)];
    // each request reacts with its own stream, so results do not depend on response order
    const request = one(userId, new Rng((options.seed ?? 1) * 1_000_003 + sent)).catch((error) => {
      fatal = error;
    });
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
    options.onProgress?.({ sent: sent + 1, total, errors: summary.errors });
  }
  await Promise.all(inFlight);
  if (fatal) throw fatal;
  if (pendingEvents.length > 0) postEvents(pendingEvents);
  await Promise.all(eventPosts);
  summary.elapsedSeconds = (performance.now() - started) / 1000;

  for (const [variant, { t, latencies, users: seen, models }] of tallies) {
    latencies.sort((a, b) => a - b);
    summary.variants[variant] = {
      ...t,
      revenue: Math.round(t.revenue * 100) / 100,
      users: seen.size,
      latencyP50Ms: percentile(latencies, 0.5),
      latencyP95Ms: percentile(latencies, 0.95),
      modelIds: [...models],
    };
  }
  summary.experimentIdsSeen = [...seenExperiments];
  return summary;
}
