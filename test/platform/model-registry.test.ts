// The model registry: filters and sorting, and archiving refused while production or a live experiment
// uses the model (audited, reversible, the row kept).
import { describe, expect, it } from "vitest";
import { archiveBlocker, ModelArchiveError, searchModels, setModelArchived } from "@/lib/db/models";
import { isolatedTestDatabase } from "../helpers/db";

const t = isolatedTestDatabase("registry");

async function world() {
  const db = t().db;
  const dataset = await db.dataset.create({
    data: { name: "reg", source: "synthetic", snapshot: `reg-${Math.random()}`, numUsers: 1, numItems: 1, numInteractions: 1 },
  });
  const model = (name: string, role: "teacher" | "student", method: string | null, n10: number, sizeBytes: number) =>
    db.model.create({
      data: {
        name,
        role,
        architecture: "bpr-mf",
        dimension: 8,
        parameterCount: 8,
        sizeBytes,
        artifactUri: `/tmp/${name}`,
        datasetId: dataset.id,
        distillationMethod: method,
        metrics: { test: { "N@10": n10 } },
      },
    });
  const teacher = await model("teacher A", "teacher", null, 0.4, 9000);
  const derrd = await model("student B", "student", "de-rrd", 0.38, 900);
  const plain = await model("student C", "student", "none", 0.3, 800);
  const user = await db.user.create({ data: { email: `e${Math.random()}@x.test`, name: "E", role: "editor", passwordHash: "x" } });
  return { db, dataset, teacher, derrd, plain, user };
}

describe("model registry", () => {
  it("filters by role, method, dataset and status, and sorts by test NDCG@10 or size", async () => {
    const { db, dataset, plain } = await world();
    const names = (rows: { name: string }[]) => rows.map((r) => r.name);
    expect(names(await searchModels({ datasetId: dataset.id, sort: "ndcg10" }, db))).toEqual(["teacher A", "student B", "student C"]);
    expect(names(await searchModels({ datasetId: dataset.id, sort: "size" }, db))).toEqual(["student C", "student B", "teacher A"]);
    expect(names(await searchModels({ datasetId: dataset.id, role: "student", sort: "name" }, db))).toEqual(["student B", "student C"]);
    expect(names(await searchModels({ datasetId: dataset.id, method: "de-rrd" }, db))).toEqual(["student B"]);
    expect(names(await searchModels({ datasetId: dataset.id, method: "teacher" }, db))).toEqual(["teacher A"]);

    await setModelArchived(plain.id, true, { label: "test" }, db);
    expect(names(await searchModels({ datasetId: dataset.id, sort: "name" }, db))).toEqual(["student B", "teacher A"]);
    expect(names(await searchModels({ datasetId: dataset.id, status: "archived" }, db))).toEqual(["student C"]);
    expect(await searchModels({ datasetId: dataset.id, status: "all" }, db)).toHaveLength(3);
    await setModelArchived(plain.id, false, { label: "test" }, db);
    expect(await searchModels({ datasetId: dataset.id }, db)).toHaveLength(3);
    const audits = await db.auditLog.findMany({ where: { entityId: plain.id }, orderBy: { createdAt: "asc" } });
    expect(audits.map((a) => a.action)).toEqual(["model.archived", "model.restored"]);
  });

  it("refuses to archive the production model or one a live experiment uses, and allows it once they are done", async () => {
    const { db, teacher, derrd, user } = await world();
    await db.servingSlot.upsert({ where: { name: "production" }, create: { name: "production", modelId: teacher.id }, update: { modelId: teacher.id } });
    await expect(setModelArchived(teacher.id, true, { label: "test" }, db)).rejects.toThrow(ModelArchiveError);
    expect(await archiveBlocker(teacher.id, db)).toMatch(/serves the production slot/);

    const exp = await db.experiment.create({
      data: {
        name: "B vs A",
        salt: "s",
        status: "running",
        rampSchedule: [1, 100],
        guardrails: {},
        kpis: ["ctr"],
        createdById: user.id,
        variants: {
          create: [
            { key: "control", modelId: teacher.id },
            { key: "candidate", modelId: derrd.id },
          ],
        },
      },
    });
    await expect(setModelArchived(derrd.id, true, { label: "test" }, db)).rejects.toThrow(/experiment "B vs A" \(running\) uses it as candidate/);
    expect((await db.model.findUniqueOrThrow({ where: { id: derrd.id } })).archivedAt).toBeNull();

    await db.experiment.update({ where: { id: exp.id }, data: { status: "completed" } });
    const archived = await setModelArchived(derrd.id, true, { label: "test" }, db);
    expect(archived?.archivedAt).toBeInstanceOf(Date);
    expect(await setModelArchived("no-such-model", true, { label: "test" }, db)).toBeNull();
  });
});
