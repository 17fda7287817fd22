-- The documented strings of TrainingRun.kind, Dataset.source and Model.distillationMethod are enforced by the
-- database. Rows outside them stop the migration with the values named (nothing is changed then).
DO $$
DECLARE
  bad text;
BEGIN
  SELECT string_agg(DISTINCT "kind", ', ') INTO bad FROM "TrainingRun" WHERE "kind" NOT IN ('teacher', 'distill', 'redistill');
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'TrainingRun.kind holds values outside teacher | distill | redistill: %', bad;
  END IF;
  SELECT string_agg(DISTINCT "source", ', ') INTO bad FROM "Dataset" WHERE "source" NOT IN ('synthetic', 'tsv-dir', 'movielens', 'csv', 'live');
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'Dataset.source holds values outside synthetic | tsv-dir | movielens | csv | live: %', bad;
  END IF;
  SELECT string_agg(DISTINCT "distillationMethod", ', ') INTO bad FROM "Model"
    WHERE "distillationMethod" NOT IN ('none', 'rd', 'de', 'rrd', 'de-rrd', 'ir-rrd', 'de-ir-rrd');
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'Model.distillationMethod holds values outside none | rd | de | rrd | de-rrd | ir-rrd | de-ir-rrd: %', bad;
  END IF;
END $$;

-- CreateEnum
CREATE TYPE "TrainingRunKind" AS ENUM ('teacher', 'distill', 'redistill');

-- AlterTable: every stored value maps onto the enum (checked above), so the column is converted in place
ALTER TABLE "TrainingRun" ALTER COLUMN "kind" TYPE "TrainingRunKind" USING ("kind"::"TrainingRunKind");

-- Hyphenated values ("tsv-dir", "de-rrd") cannot be Prisma enum names without renaming them in the client
-- and the API, so these two columns stay text, kept to their values by a CHECK constraint.
ALTER TABLE "Dataset" ADD CONSTRAINT "Dataset_source_check" CHECK ("source" IN ('synthetic', 'tsv-dir', 'movielens', 'csv', 'live'));
ALTER TABLE "Model" ADD CONSTRAINT "Model_distillationMethod_check"
  CHECK ("distillationMethod" IS NULL OR "distillationMethod" IN ('none', 'rd', 'de', 'rrd', 'de-rrd', 'ir-rrd', 'de-ir-rrd'));
