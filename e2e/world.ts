// The smallest experiment world the specs need: a tiny dataset with a teacher (serving production) and a
// student, and the seeded e2e users as the fixtures' `World` people.
import type { Db } from "../lib/db/client";

export async function person(db: Db, email: string) {
  const u = await db.user.findUniqueOrThrow({ where: { email } });
  return { id: u.id, email: u.email, role: u.role };
}

/** Cancels any live experiment (one at a time), then creates the dataset, `<models>-teacher` (serving production) and `<models>-student`. */
export async function seedTeacherAndStudent(db: Db, names: { dataset: string; models: string }): Promise<{ teacherId: string; studentId: string }> {
  await db.experiment.updateMany({ where: { status: { in: ["running", "paused", "awaiting_approval"] } }, data: { status: "cancelled" } });
  const dataset = await db.dataset.create({
    data: { name: names.dataset, source: "synthetic", snapshot: `${names.models}-${Date.now()}`, numUsers: 10, numItems: 10, numInteractions: 20 },
  });
  const model = (name: string, role: "teacher" | "student", dimension: number) =>
    db.model.create({
      data: {
        name,
        role,
        architecture: "bpr-mf",
        dimension,
        parameterCount: dimension * 20,
        sizeBytes: dimension * 80,
        artifactUri: `/tmp/${name}`,
        datasetId: dataset.id,
      },
    });
  const teacher = await model(`${names.models}-teacher`, "teacher", 200);
  const student = await model(`${names.models}-student`, "student", 20);
  await db.servingSlot.upsert({ where: { name: "production" }, create: { name: "production", modelId: teacher.id }, update: { modelId: teacher.id } });
  return { teacherId: teacher.id, studentId: student.id };
}
