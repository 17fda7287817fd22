-- The documented strings of TrainingRun.kind, Dataset.source and Model.distillationMethod are enforced by the
-- database. A stored value outside them stops the migration with the values named (nothing is changed then):
-- each check casts its message to integer only when there are such rows, and the failed cast shows it.
SELECT CAST('TrainingRun.kind holds values outside teacher | distill | redistill: ' || string_agg(DISTINCT "kind", ', ') AS integer)
FROM "TrainingRun" WHERE "kind" NOT IN ('teacher', 'distill', 'redistill') HAVING count(*) > 0;

SELECT CAST('Dataset.source holds values outside synthetic | tsv-dir | movielens | csv | live: ' || string_agg(DISTINCT "source", ', ') AS integer)
FROM "Dataset" WHERE "source" NOT IN ('synthetic', 'tsv-dir', 'movielens', 'csv', 'live') HAVING count(*) > 0;

SELECT CAST('Model.distillationMethod holds values outside none | rd | de | rrd | de-rrd | ir-rrd | de-ir-rrd: ' || string_agg(DISTINCT "distillationMethod", ', ') AS integer)
FROM "Model" WHERE "distillationMethod" NOT IN ('none', 'rd', 'de', 'rrd', 'de-rrd', 'ir-rrd', 'de-ir-rrd') HAVING count(*) > 0;

-- CreateEnum
CREATE TYPE "TrainingRunKind" AS ENUM ('teacher', 'distill', 'redistill');

-- AlterTable: every stored value maps onto the enum (checked above), so the column is converted in place
ALTER TABLE "TrainingRun" ALTER COLUMN "kind" TYPE "TrainingRunKind" USING ("kind"::"TrainingRunKind");

-- Hyphenated values ("tsv-dir", "de-rrd") cannot be Prisma enum names without renaming them in the client
-- and the API, so these two columns stay text, kept to their values by a CHECK constraint.
ALTER TABLE "Dataset" ADD CONSTRAINT "Dataset_source_check" CHECK ("source" IN ('synthetic', 'tsv-dir', 'movielens', 'csv', 'live'));
ALTER TABLE "Model" ADD CONSTRAINT "Model_distillationMethod_check"
  CHECK ("distillationMethod" IS NULL OR "distillationMethod" IN ('none', 'rd', 'de', 'rrd', 'de-rrd', 'ir-rrd', 'de-ir-rrd'));
