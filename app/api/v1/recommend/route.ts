// POST /api/v1/recommend {userId, k, exclude?} → {requestId, items: [{itemId, score}], experimentId?, variant, modelId}
import { presentedApiKey } from "@/lib/auth/api-keys";
import { handler } from "@/lib/http/handler";
import { DEFAULT_MAX_BODY_BYTES, readBodyText } from "@/lib/http/validation";
import { answerRecommend } from "@/lib/serving/recommend-http";

export const dynamic = "force-dynamic";

export const POST = handler(async (request: Request) => {
  const answer = await answerRecommend(presentedApiKey(request), () => readBodyText(request, DEFAULT_MAX_BODY_BYTES));
  return new Response(answer.body, { status: answer.status, headers: { "content-type": "application/json" } });
});
