-- Function bodies are E'' strings with \073 for the semicolon: the migration runner splits scripts
-- at every semicolon.

-- Exposure's two foreign keys checked once per statement instead of once per row. A foreign key runs
-- a lookup of its parent for every inserted row: for a 500-row batch of production exposures the
-- modelId key alone cost about as much PostgreSQL CPU as the experiment indexes (8–9 µs a row each,
-- of 30–37 µs a row in all). The same guarantees, as triggers:
-- - an inserted or updated exposure must name an existing model, and an existing experiment or none
--   (SQLSTATE 23503, with the constraint's old name), and the parents it names are locked FOR KEY SHARE
--   until the transaction ends, so they cannot be deleted meanwhile,
-- - a model that has exposures cannot be deleted (ON DELETE RESTRICT), deleting an experiment sets its
--   exposures' experimentId to NULL (ON DELETE SET NULL), and a changed id is carried over (ON UPDATE CASCADE).
ALTER TABLE "Exposure" DROP CONSTRAINT "Exposure_modelId_fkey";
ALTER TABLE "Exposure" DROP CONSTRAINT "Exposure_experimentId_fkey";

CREATE OR REPLACE FUNCTION understudy_check_exposure_parents() RETURNS trigger LANGUAGE plpgsql AS E'
DECLARE
  missing text\073
BEGIN
  PERFORM 1 FROM "Model" m WHERE m.id IN (SELECT DISTINCT "modelId" FROM new_rows) FOR KEY SHARE\073
  SELECT n."modelId" INTO missing FROM (SELECT DISTINCT "modelId" FROM new_rows) n
  WHERE NOT EXISTS (SELECT 1 FROM "Model" m WHERE m.id = n."modelId") LIMIT 1\073
  IF FOUND THEN
    RAISE EXCEPTION ''insert or update on table "Exposure" violates foreign key constraint "Exposure_modelId_fkey"''
      USING ERRCODE = ''foreign_key_violation'', CONSTRAINT = ''Exposure_modelId_fkey'', TABLE = ''Exposure'',
            DETAIL = format(''Key ("modelId")=(%s) is not present in table "Model".'', missing)\073
  END IF\073
  PERFORM 1 FROM "Experiment" e WHERE e.id IN (SELECT DISTINCT "experimentId" FROM new_rows WHERE "experimentId" IS NOT NULL) FOR KEY SHARE\073
  SELECT n."experimentId" INTO missing FROM (SELECT DISTINCT "experimentId" FROM new_rows WHERE "experimentId" IS NOT NULL) n
  WHERE NOT EXISTS (SELECT 1 FROM "Experiment" e WHERE e.id = n."experimentId") LIMIT 1\073
  IF FOUND THEN
    RAISE EXCEPTION ''insert or update on table "Exposure" violates foreign key constraint "Exposure_experimentId_fkey"''
      USING ERRCODE = ''foreign_key_violation'', CONSTRAINT = ''Exposure_experimentId_fkey'', TABLE = ''Exposure'',
            DETAIL = format(''Key ("experimentId")=(%s) is not present in table "Experiment".'', missing)\073
  END IF\073
  RETURN NULL\073
END ';

-- (named to run before understudy_rollup_exposures: AFTER triggers of an event fire in name order)
CREATE TRIGGER understudy_exposure_parents_insert AFTER INSERT ON "Exposure"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION understudy_check_exposure_parents();
CREATE TRIGGER understudy_exposure_parents_update AFTER UPDATE ON "Exposure"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION understudy_check_exposure_parents();

CREATE OR REPLACE FUNCTION understudy_model_exposures_restrict() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF EXISTS (SELECT 1 FROM "Exposure" WHERE "modelId" = OLD.id) THEN
    RAISE EXCEPTION ''update or delete on table "Model" violates foreign key constraint "Exposure_modelId_fkey" on table "Exposure"''
      USING ERRCODE = ''foreign_key_violation'', CONSTRAINT = ''Exposure_modelId_fkey'', TABLE = ''Model'',
            DETAIL = format(''Key (id)=(%s) is still referenced from table "Exposure".'', OLD.id)\073
  END IF\073
  RETURN OLD\073
END ';

CREATE OR REPLACE FUNCTION understudy_model_exposures_cascade() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  UPDATE "Exposure" SET "modelId" = NEW.id WHERE "modelId" = OLD.id\073
  RETURN NULL\073
END ';

CREATE OR REPLACE FUNCTION understudy_experiment_exposures_release() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF TG_OP = ''DELETE'' THEN
    UPDATE "Exposure" SET "experimentId" = NULL WHERE "experimentId" = OLD.id\073
  ELSE
    UPDATE "Exposure" SET "experimentId" = NEW.id WHERE "experimentId" = OLD.id\073
  END IF\073
  RETURN NULL\073
END ';

CREATE TRIGGER understudy_model_exposures_restrict BEFORE DELETE ON "Model"
  FOR EACH ROW EXECUTE FUNCTION understudy_model_exposures_restrict();
CREATE TRIGGER understudy_model_exposures_cascade AFTER UPDATE OF id ON "Model"
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION understudy_model_exposures_cascade();
CREATE TRIGGER understudy_experiment_exposures_release_delete AFTER DELETE ON "Experiment"
  FOR EACH ROW EXECUTE FUNCTION understudy_experiment_exposures_release();
CREATE TRIGGER understudy_experiment_exposures_release_update AFTER UPDATE OF id ON "Experiment"
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION understudy_experiment_exposures_release();

-- The experiment indexes hold experiment exposures only: every query through them names an experiment,
-- and production exposures (most of what serving writes) then update two indexes instead of four.
DROP INDEX "Exposure_experimentId_variant_userId_idx";
CREATE INDEX "Exposure_experimentId_variant_userId_idx" ON "Exposure"("experimentId", "variant", "userId") WHERE "experimentId" IS NOT NULL;
DROP INDEX "Exposure_experimentId_createdAt_idx";
CREATE INDEX "Exposure_experimentId_createdAt_idx" ON "Exposure"("experimentId", "createdAt") WHERE "experimentId" IS NOT NULL;
