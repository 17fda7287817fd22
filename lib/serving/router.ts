// Which model answers a request right now, refreshed from the database at most every ~1 s.
//
// Requests read `current()`: the published Route, a plain object that is never mutated. When it is
// older than `refreshMs`, one background refresh (single flight) reads the production slot and the live
// experiment; if anything changed it loads the models it does not have yet (cached by model id) and only
// then replaces the Route reference in one assignment. Requests in flight keep the Route they started
// with, so a cutover or a ramp step never fails a request: the old model answers until the new one is
// ready. Only the very first request of a process waits for the first load.
import type { ModelSource, RoutingState } from "@/lib/db/serving";
import { currentCandidatePercent } from "@/lib/experiments/assignment";
import type { ServingModel } from "./serving-model";

export interface Arm {
  modelId: string;
  /** null when the model failed to load: production answers and the exposure is marked failed */
  model: ServingModel | null;
  loadError: string | null;
}

export interface Route {
  /** identifies the configuration; a refresh that finds the same key publishes nothing */
  key: string;
  productionVersion: number;
  production: ServingModel;
  experiment: {
    id: string;
    salt: string;
    candidatePercent: number;
    control: Arm;
    candidate: Arm;
    /** share of the candidate's requests whose slate is sampled for teacher agreement */
    slateSampleRate?: number;
  } | null;
  builtAt: number;
}

export interface ServingRouterOptions {
  refreshMs?: number;
  /** how long a model that failed to load is left alone before the next attempt */
  retryFailedMs?: number;
  log?: (message: string, error?: unknown) => void;
}

export class NoProductionModelError extends Error {
  constructor(message = 'No production model is configured (ServingSlot "production" is empty)') {
    super(message);
    this.name = "NoProductionModelError";
  }
}

/** The production model is configured but cannot be loaded, and no earlier route is there to fall back on. */
export class ProductionModelUnavailableError extends Error {
  constructor(modelId: string, cause: unknown) {
    super(`The production model ${modelId} cannot be loaded: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "ProductionModelUnavailableError";
  }
}

interface CacheEntry {
  promise: Promise<ServingModel>;
  failedAt: number | null;
}

export class ServingRouter {
  private route: Route | null = null;
  private checkedAt = 0;
  private refreshing: Promise<Route> | null = null;
  private stopped = false;
  private readonly models = new Map<string, CacheEntry>();
  private readonly refreshMs: number;
  private readonly retryFailedMs: number;
  private readonly log: (message: string, error?: unknown) => void;

  constructor(
    private readonly readState: () => Promise<RoutingState>,
    private readonly loadModel: (source: ModelSource) => Promise<ServingModel>,
    options: ServingRouterOptions = {},
  ) {
    this.refreshMs = options.refreshMs ?? 1000;
    this.retryFailedMs = options.retryFailedMs ?? 30_000;
    this.log = options.log ?? ((message, error) => console.error(`[serving] ${message}`, error ?? ""));
  }

  /** The route to serve with; never waits except for the first load of the process. */
  async current(): Promise<Route> {
    if (this.route && (this.stopped || Date.now() - this.checkedAt < this.refreshMs)) return this.route;
    const refresh = this.startRefresh();
    if (this.route) {
      refresh.catch((error) => this.log("routing refresh failed; serving the previous configuration", error));
      return this.route;
    }
    return refresh;
  }

  /**
   * current() without a promise once the process has a route: the route to serve with (a refresh is
   * started in the background when it is due), or null before the first one (then await current()).
   */
  peek(): Route | null {
    const route = this.route;
    if (route === null || this.stopped || Date.now() - this.checkedAt < this.refreshMs) return route;
    if (this.refreshing === null) this.startRefresh().catch((error) => this.log("routing refresh failed; serving the previous configuration", error));
    return route;
  }

  /**
   * Reads the database now (tests, admin actions) and resolves with the route then published. A
   * refresh already in flight may have read before the caller's change, so this one runs after it.
   */
  async refresh(): Promise<Route> {
    while (this.refreshing) await this.refreshing.catch(() => undefined);
    return this.startRefresh();
  }

  private startRefresh(): Promise<Route> {
    if (!this.refreshing) {
      this.refreshing = this.rebuild().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  /** Stops reading the database (shutdown): the last route keeps answering until the process ends. */
  stop(): void {
    this.stopped = true;
  }

  /** model ids currently loaded or loading */
  loadedModelIds(): string[] {
    return [...this.models.keys()];
  }

  private async rebuild(): Promise<Route> {
    const state = await this.readState();
    this.checkedAt = Date.now();
    if (state.ignoredExperimentIds.length > 0) {
      this.log(`several experiments are live; serving ${state.experiment?.id}, ignoring ${state.ignoredExperimentIds.join(", ")}`);
    }
    if (!state.production) throw new NoProductionModelError();
    const key = routeKey(state);
    const current = this.route;
    const retryDue =
      current?.experiment != null &&
      [current.experiment.candidate, current.experiment.control].some((arm) => arm.model === null && this.failedLongAgo(arm.modelId));
    if (current && current.key === key && !retryDue) return current;

    let production: ServingModel;
    try {
      production = await this.model(state.production.model);
    } catch (error) {
      // keep answering with the model we have rather than failing every request
      if (current) {
        this.log(`production model ${state.production.model.id} failed to load; still serving ${current.production.id}`, error);
        return current;
      }
      this.log(`production model ${state.production.model.id} failed to load; nothing to serve yet`, error);
      throw new ProductionModelUnavailableError(state.production.model.id, error);
    }

    let experiment: Route["experiment"] = null;
    const live = state.experiment;
    if (live && live.candidate) {
      const control = live.control ?? state.production.model;
      experiment = {
        id: live.id,
        salt: live.salt,
        candidatePercent: currentCandidatePercent(live.rampSchedule, live.currentStageIndex),
        control: control.id === production.id ? { modelId: production.id, model: production, loadError: null } : await this.arm(control),
        candidate: await this.arm(live.candidate),
        slateSampleRate: live.slateSampleRate ?? 0,
      };
    } else if (live) {
      this.log(`experiment ${live.id} has no candidate variant; serving production only`);
    }

    const route: Route = { key, productionVersion: state.production.version, production, experiment, builtAt: Date.now() };
    this.route = route; // the atomic switch
    this.evictUnused(route);
    return route;
  }

  private async arm(source: ModelSource): Promise<Arm> {
    try {
      return { modelId: source.id, model: await this.model(source), loadError: null };
    } catch (error) {
      this.log(`model ${source.id} failed to load; production answers its traffic`, error);
      return { modelId: source.id, model: null, loadError: error instanceof Error ? error.message : String(error) };
    }
  }

  private model(source: ModelSource): Promise<ServingModel> {
    const cached = this.models.get(source.id);
    if (cached && (cached.failedAt === null || !this.failedLongAgo(source.id))) return cached.promise;
    const entry: CacheEntry = { promise: this.loadModel(source), failedAt: null };
    entry.promise.catch(() => {
      entry.failedAt = Date.now();
    });
    this.models.set(source.id, entry);
    return entry.promise;
  }

  private failedLongAgo(modelId: string): boolean {
    const entry = this.models.get(modelId);
    return entry?.failedAt != null && Date.now() - entry.failedAt >= this.retryFailedMs;
  }

  private evictUnused(route: Route): void {
    const used = new Set([route.production.id]);
    if (route.experiment) used.add(route.experiment.control.modelId).add(route.experiment.candidate.modelId);
    for (const id of this.models.keys()) if (!used.has(id)) this.models.delete(id);
  }
}

function routeKey(state: RoutingState): string {
  const p = state.production;
  const e = state.experiment;
  const experiment = e
    ? `${e.id}:${currentCandidatePercent(e.rampSchedule, e.currentStageIndex)}:${e.control?.id ?? "-"}:${e.candidate?.id ?? "-"}:${e.slateSampleRate ?? 0}`
    : "none";
  return `${p?.version ?? 0}:${p?.model.id ?? "-"}|${experiment}`;
}
