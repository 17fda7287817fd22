// Multi-seed summaries built from bench:distill's per-seed JSON files, so seeds (and methods) trained in
// different sessions pool without retraining. A seed file keeps every evaluated user's sampled rank (0-based,
// among the held-out item and its 499 negatives) per model on test and valid; per-user N@10 and the paired
// comparisons come from those ranks. Files of one seed merge by model name: a name found in two files must
// carry the same results there (the same model, e.g. the teacher reused by a later run), otherwise the
// files disagree (another teacher or other settings) and pooling fails.
import { z } from "zod";
import { ndcgAt } from "./metrics";
import { pairedOverSeeds, spreadOfRuns, type PairedComparison, type Spread } from "./seeds";

// JSON has no NaN: a metric the run could not compute is written as null
const Metrics = z.record(z.string(), z.number().nullable()).transform((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v ?? NaN])));
const Ranks = z.array(z.number().int().min(0));

const SeedFileModel = z.looseObject({
  name: z.string().min(1),
  role: z.enum(["teacher", "student"]),
  epochs: z.number(),
  trainSeconds: z.number(),
  test: Metrics,
  valid: Metrics,
  full: Metrics,
  longTail: Metrics,
  /** sampled ranks of the users in the file's perUserUsers, same order */
  perUser: z.object({ test: Ranks, valid: Ranks }).optional(),
});

export const SeedFile = z.looseObject({
  seed: z.number().int().min(0),
  evalSeed: z.number().int().min(0),
  dataset: z.string(),
  negatives: z.number().int(),
  wallSeconds: z.number(),
  trainWallSeconds: z.number(),
  /** dense indices of the users whose ranks perUser holds, per split */
  perUserUsers: z.object({ test: z.array(z.number().int()), valid: z.array(z.number().int()) }).optional(),
  models: z.array(SeedFileModel).min(1),
});
export type SeedFile = z.infer<typeof SeedFile>;
export type SeedFileModel = z.infer<typeof SeedFileModel>;

export interface PooledSeed {
  seed: number;
  files: { file: string; wallSeconds: number; trainWallSeconds: number }[];
  /** by model name, in first-seen order */
  models: Map<string, SeedFileModel>;
}

export interface PooledRuns {
  dataset: string;
  evalSeed: number;
  negatives: number;
  users: { test: number[]; valid: number[] } | null;
  seeds: PooledSeed[];
}

const sameArray = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const sameMetrics = (a: Record<string, number>, b: Record<string, number>) => {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => Object.is(a[k], b[k]));
};

/** parses and pools seed files (path, parsed JSON); throws on files that do not fit together */
export function poolSeedFiles(inputs: readonly { file: string; json: unknown }[]): PooledRuns {
  if (inputs.length === 0) throw new RangeError("no seed files to pool");
  const parsed = inputs.map(({ file, json }) => {
    const r = SeedFile.safeParse(json);
    if (!r.success) throw new RangeError(`${file}: not a bench:distill seed file (${r.error.issues[0]?.path.join(".")}: ${r.error.issues[0]?.message})`);
    return { file, data: r.data };
  });
  const first = parsed[0];
  let users: PooledRuns["users"] = null;
  let usersFrom = "";
  const bySeed = new Map<number, PooledSeed>();
  const origin = new Map<string, string>(); // seed/name -> file
  for (const { file, data } of parsed) {
    for (const k of ["dataset", "evalSeed", "negatives"] as const) {
      if (data[k] !== first.data[k]) throw new RangeError(`${file}: ${k} ${data[k]}, but ${first.file} has ${first.data[k]}`);
    }
    if (data.perUserUsers) {
      if (!users) {
        users = data.perUserUsers;
        usersFrom = file;
      } else if (!sameArray(users.test, data.perUserUsers.test) || !sameArray(users.valid, data.perUserUsers.valid)) {
        throw new RangeError(`${file}: its evaluated users differ from ${usersFrom}'s`);
      }
      for (const m of data.models) {
        if (m.perUser && (m.perUser.test.length !== data.perUserUsers.test.length || m.perUser.valid.length !== data.perUserUsers.valid.length)) {
          throw new RangeError(
            `${file}: ${m.name} has ${m.perUser.test.length}/${m.perUser.valid.length} per-user ranks for ${data.perUserUsers.test.length}/${data.perUserUsers.valid.length} users`,
          );
        }
      }
    } else if (data.models.some((m) => m.perUser)) {
      throw new RangeError(`${file}: per-user ranks without perUserUsers`);
    }
    let s = bySeed.get(data.seed);
    if (!s) bySeed.set(data.seed, (s = { seed: data.seed, files: [], models: new Map() }));
    s.files.push({ file, wallSeconds: data.wallSeconds, trainWallSeconds: data.trainWallSeconds });
    for (const m of data.models) {
      const key = `${data.seed}/${m.name}`;
      const had = s.models.get(m.name);
      if (!had) {
        s.models.set(m.name, m);
        origin.set(key, file);
        continue;
      }
      const agree =
        sameMetrics(had.test, m.test) &&
        sameMetrics(had.valid, m.valid) &&
        (!had.perUser || !m.perUser || (sameArray(had.perUser.test, m.perUser.test) && sameArray(had.perUser.valid, m.perUser.valid)));
      if (!agree) {
        throw new RangeError(
          `seed ${data.seed}: ${m.name} in ${file} differs from ${m.name} in ${origin.get(key)} (another teacher or other settings? name one run's students apart with --tag)`,
        );
      }
      if (!had.perUser && m.perUser) s.models.set(m.name, m);
    }
  }
  const seeds = [...bySeed.values()].sort((a, b) => a.seed - b.seed);
  return { dataset: first.data.dataset, evalSeed: first.data.evalSeed, negatives: first.data.negatives, users, seeds };
}

export interface SeedsSummary {
  dataset: string;
  evalSeed: number;
  seeds: number[];
  perSeed: { seed: number; files: PooledSeed["files"]; wallSeconds: number }[];
  /** per model: mean ± sd over the seeds it was run on of every test, validation, long-tail and full metric */
  models: {
    name: string;
    seeds: number[];
    test: Record<string, Spread>;
    valid: Record<string, Spread>;
    longTail: Record<string, Spread>;
    full: Record<string, Spread>;
    trainSeconds: Spread;
    epochs: Spread;
  }[];
  /** N@10 per user, differences averaged over the seeds both models have per-user ranks for, 95% t-interval over users */
  paired: ({ model: string; against: string; metric: "N@10"; split: "test" | "valid"; seedList: number[] } & PairedComparison)[];
  /** seeds on which each student's long-tail H@10 (test) is above none's, among the seeds both were run on */
  longTailAboveNone: Record<string, { seeds: number[]; of: number[]; every: boolean }>;
}

const n10 = (ranks: readonly number[]) => Float64Array.from(ranks, (r) => ndcgAt(r, 10));

export function summarizePooled(p: PooledRuns, against: readonly string[] = ["student-none", "student-de-rrd"]): SeedsSummary {
  const names = [...new Set(p.seeds.flatMap((s) => [...s.models.keys()]))];
  const seedsOf = (name: string) => p.seeds.filter((s) => s.models.has(name));
  const models = names.map((name) => {
    const rows = seedsOf(name).map((s) => s.models.get(name)!);
    return {
      name,
      seeds: seedsOf(name).map((s) => s.seed),
      test: spreadOfRuns(rows.map((r) => r.test)),
      valid: spreadOfRuns(rows.map((r) => r.valid)),
      longTail: spreadOfRuns(rows.map((r) => r.longTail)),
      full: spreadOfRuns(rows.map((r) => r.full)),
      trainSeconds: spreadOfRuns(rows.map((r) => ({ s: r.trainSeconds }))).s,
      epochs: spreadOfRuns(rows.map((r) => ({ e: r.epochs }))).e,
    };
  });
  const paired: SeedsSummary["paired"] = [];
  for (const base of against) {
    for (const model of names) {
      if (model === base || model === "teacher") continue;
      const both = p.seeds.filter((s) => s.models.get(model)?.perUser && s.models.get(base)?.perUser);
      if (both.length === 0) continue;
      for (const split of ["test", "valid"] as const) {
        const cmp = pairedOverSeeds(
          both.map((s) => n10(s.models.get(model)!.perUser![split])),
          both.map((s) => n10(s.models.get(base)!.perUser![split])),
        );
        paired.push({ model, against: base, metric: "N@10", split, seedList: both.map((s) => s.seed), ...cmp });
      }
    }
  }
  const longTailAboveNone: SeedsSummary["longTailAboveNone"] = {};
  for (const name of names.filter((n) => n.startsWith("student-") && n !== "student-none")) {
    const both = p.seeds.filter((s) => s.models.has(name) && s.models.has("student-none"));
    if (both.length === 0) continue;
    const seeds = both.filter((s) => s.models.get(name)!.longTail["H@10"] > s.models.get("student-none")!.longTail["H@10"]).map((s) => s.seed);
    longTailAboveNone[name] = { seeds, of: both.map((s) => s.seed), every: seeds.length === both.length };
  }
  return {
    dataset: p.dataset,
    evalSeed: p.evalSeed,
    seeds: p.seeds.map((s) => s.seed),
    perSeed: p.seeds.map((s) => ({ seed: s.seed, files: s.files, wallSeconds: s.files.reduce((a, f) => a + f.wallSeconds, 0) })),
    models,
    paired,
    longTailAboveNone,
  };
}
