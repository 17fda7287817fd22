// POST /api/v1/recommend {userId, k, exclude?} → {requestId, items: [{itemId, score}], experimentId?, variant, modelId}
import { z } from "zod";
import { HttpError } from "@/lib/http/errors";
import { handler } from "@/lib/http/handler";
import { parseJson } from "@/lib/http/validation";
import { requireApiKey } from "@/lib/serving/api-key";
import { NoProductionModelError } from "@/lib/serving/router";
import { servingRuntime } from "@/lib/serving/runtime";

export const dynamic = "force-dynamic";

const RecommendBody = z.object({
  userId: z.string().trim().min(1, "userId must not be empty").max(256),
  k: z.number().int("k must be an integer").min(1, "k must be at least 1").max(100, "k must be at most 100"),
  exclude: z.array(z.string().min(1).max(256)).max(1000, "exclude holds at most 1000 item ids").optional(),
});

export const POST = handler(async (request: Request) => {
  await requireApiKey(request, "recommend");
  const body = await parseJson(request, RecommendBody);
  try {
    return Response.json(await servingRuntime().service.recommend(body));
  } catch (error) {
    if (error instanceof NoProductionModelError) throw new HttpError(503, "no_production_model", error.message);
    throw error;
  }
});
