// One recommendation request: route → sticky arm → score (with fallback) → exposure queued → answer.
import { randomUUID } from "node:crypto";
import type { ExposureRow } from "@/lib/db/exposures";
import type { SlateSampleRow } from "@/lib/db/distillation-signals";
import { assignArm } from "@/lib/experiments/assignment";
import { AGREEMENT_K, isSampledRequest } from "@/lib/experiments/teacher-agreement";
import type { Route, ServingRouter } from "./router";
import type { RecommendedItem, ScoredRecommendation, ServingModel } from "./serving-model";

export interface RecommendRequest {
  userId: string;
  k: number;
  exclude?: string[];
}

export interface RecommendResponse {
  requestId: string;
  items: RecommendedItem[];
  experimentId?: string;
  /** "control" | "candidate" inside an experiment, "production" otherwise */
  variant: string;
  /** the model that produced `items` (production when a failed candidate fell back) */
  modelId: string;
  /** present when the user is unknown to the model: items are the most popular training items */
  fallback?: "popularity";
}

export interface ExposureQueue {
  enqueue(row: ExposureRow): void;
}

export interface SlateQueue {
  enqueue(row: SlateSampleRow): void;
}

export class RecommendService {
  constructor(
    private readonly router: Pick<ServingRouter, "current"> & Partial<Pick<ServingRouter, "peek">>,
    private readonly exposures: ExposureQueue,
    private readonly log: (message: string, error?: unknown) => void = (m, e) => console.error(`[serving] ${m}`, e ?? ""),
    /** where sampled candidate slates go (teacher agreement); none: nothing is sampled */
    private readonly slates: SlateQueue | null = null,
  ) {}

  /** (the route is taken without a promise once the process has one: one promise per request, the scoring's) */
  recommend(request: RecommendRequest): Promise<RecommendResponse> {
    try {
      const route = this.router.peek?.() ?? null;
      return route ? this.serve(route, request) : this.router.current().then((r) => this.serve(r, request));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private serve(route: Route, request: RecommendRequest): Promise<RecommendResponse> {
    const arm = pickArm(route, request.userId);
    const { armModel } = arm;
    if (armModel === null) return this.byProduction(route, request, arm);
    return scoreWith(armModel, request).then(
      (result) => this.answer(route, request, arm, armModel, false, result),
      (error: unknown) => {
        if (armModel === route.production) throw error; // nothing to fall back to: the request fails (500)
        this.log(`model ${armModel.id} failed to score; production answers`, error);
        return this.byProduction(route, request, arm);
      },
    );
  }

  /** a failed arm (load or scoring error) is answered by production and counted against the arm */
  private byProduction(route: Route, request: RecommendRequest, arm: ReturnType<typeof pickArm>): Promise<RecommendResponse> {
    return scoreWith(route.production, request).then((result) => this.answer(route, request, arm, route.production, true, result));
  }

  private answer(
    route: Route,
    request: RecommendRequest,
    { experimentId, variant, armModelId }: ReturnType<typeof pickArm>,
    answeredBy: ServingModel,
    failed: boolean,
    result: ScoredRecommendation,
  ): RecommendResponse {
    const requestId = randomUUID();
    const createdAt = new Date();
    this.exposures.enqueue({
      requestId,
      experimentId,
      variant,
      modelId: armModelId,
      userId: request.userId,
      itemCount: result.items.length,
      latencyUs: result.latencyUs,
      cpuUs: result.cpuUs,
      batchSize: result.batchSize,
      failed,
      createdAt,
    });
    // the candidate's own answers only: a failed candidate's or a popularity fallback's list says nothing about its ranking
    const rate = route.experiment?.slateSampleRate ?? 0;
    if (this.slates && experimentId && variant === "candidate" && !failed && !result.fallback && result.items.length > 0 && isSampledRequest(requestId, rate)) {
      this.slates.enqueue({
        requestId,
        experimentId,
        userId: request.userId,
        items: result.items.slice(0, AGREEMENT_K).map((i) => i.itemId),
        exclude: request.exclude ?? [],
        createdAt,
      });
    }
    // (keys in the order of the answer's JSON)
    const response: RecommendResponse = experimentId
      ? { requestId, items: result.items, experimentId, variant, modelId: answeredBy.id }
      : { requestId, items: result.items, variant, modelId: answeredBy.id };
    if (result.fallback) response.fallback = result.fallback;
    return response;
  }
}

/** model.recommend as a promise (a synchronous throw becomes its rejection, so it falls back alike) */
function scoreWith(model: ServingModel, request: RecommendRequest): Promise<ScoredRecommendation> {
  try {
    return model.recommend(request.userId, request.k, request.exclude);
  } catch (error) {
    return Promise.reject(error);
  }
}

function pickArm(route: Route, userId: string) {
  const experiment = route.experiment;
  if (!experiment) {
    return { experimentId: null, variant: "production", armModelId: route.production.id, armModel: route.production as ServingModel | null };
  }
  const variant = assignArm(experiment.salt, userId, experiment.candidatePercent);
  const arm = variant === "candidate" ? experiment.candidate : experiment.control;
  return { experimentId: experiment.id, variant, armModelId: arm.modelId, armModel: arm.model };
}
