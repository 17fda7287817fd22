import { toJobView } from "@/lib/jobs/view";
import { requireRole, requireUser } from "@/lib/auth/current";
import { listModels } from "@/lib/db/models";
import { trainInput } from "@/lib/jobs/definitions";
import { handler, json, parseJson, parseQuery } from "@/lib/http";
import { requestTraining } from "@/lib/services/training-request";
import { ModelListQuery } from "@/lib/http/requests";

export const GET = handler(async (request: Request) => {
  await requireUser();
  const query = parseQuery(request, ModelListQuery);
  return json({ models: await listModels(undefined, query) });
});

/** Trains a teacher or distils a student in the background: answers 202 with the job to follow. */
export const POST = handler(async (request: Request) => {
  const { user } = await requireRole("editor");
  const input = await parseJson(request, trainInput);
  const run = await requestTraining(input, user);
  return json({ job: toJobView(run) }, { status: 202 });
});
