-- AlterTable
ALTER TABLE "Exposure" ADD COLUMN     "batchSize" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "ExperimentLatencyCount" ADD COLUMN     "batchSizeSum" DOUBLE PRECISION NOT NULL DEFAULT 0;


-- Function bodies are E'' strings with \073 for the semicolon: the migration runner splits scripts
-- at every semicolon.

-- ---- Batch sizes for the latency quantile's effective n. Serving scores requests in micro-batches and
-- every request of a batch gets the batch's latency, so the latency counts also keep, per distinct
-- latency, the sum over its requests of their batch's size (Σ m² over batches): n_eff = n² / that sum
-- (lib/stats clusteredEffectiveN). Exposures stored before this carry batch size 1 (the column default),
-- and so do the counts already rolled up (backfilled below): their intervals are unchanged.
UPDATE "ExperimentLatencyCount" SET "batchSizeSum" = "requests";

-- The staging table of new exposures gains the batch size, under a new name, so a session that created
-- the old table before this migration (temp tables live as long as the connection) gets the new one.
CREATE OR REPLACE FUNCTION understudy_rollup_staging_ready() RETURNS void LANGUAGE plpgsql AS E'
BEGIN
  IF to_regclass(''pg_temp.understudy_new_exposures_b'') IS NULL THEN
    CREATE TEMP TABLE understudy_new_exposures_b (
      "experimentId" TEXT, stage_index INTEGER, stage_started_at TIMESTAMP(3), settling BOOLEAN, "variant" TEXT, "userId" TEXT,
      "requestId" UUID, "latencyUs" INTEGER, "cpuUs" INTEGER, "failed" BOOLEAN, "batchSize" INTEGER
    ) ON COMMIT DELETE ROWS\073
  END IF\073
  IF to_regclass(''pg_temp.understudy_user_increments'') IS NULL THEN
    CREATE TEMP TABLE understudy_user_increments (
      "experimentId" TEXT, stage_index INTEGER, stage_started_at TIMESTAMP(3), settling BOOLEAN, "variant" TEXT, "userId" TEXT,
      x INTEGER, c INTEGER, conversions INTEGER, r FLOAT8, hn INTEGER, hh FLOAT8
    ) ON COMMIT DELETE ROWS\073
  END IF\073
  IF to_regclass(''pg_temp.understudy_sum_deltas'') IS NULL THEN
    CREATE TEMP TABLE understudy_sum_deltas (
      "experimentId" TEXT, stage_index INTEGER, stage_started_at TIMESTAMP(3), settling BOOLEAN, "variant" TEXT, "userId" TEXT,
      sign FLOAT8, x FLOAT8, c FLOAT8, conversions FLOAT8, r FLOAT8, hn FLOAT8, hh FLOAT8,
      pre_events FLOAT8, pr FLOAT8, pv FLOAT8
    ) ON COMMIT DELETE ROWS\073
  END IF\073
END ';

-- The exposure trigger of 20261202020000_variant_sums, staging the batch size and adding it to the latency counts.
CREATE OR REPLACE FUNCTION understudy_rollup_exposures() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  PERFORM pg_advisory_xact_lock_shared(1301201)\073
  PERFORM understudy_rollup_staging_ready()\073
  INSERT INTO understudy_new_exposures_b
  SELECT n."experimentId", s.stage_index, s.stage_started_at, s.settling, n."variant", n."userId", n."requestId", n."latencyUs", n."cpuUs", n."failed", n."batchSize"
  FROM new_rows n CROSS JOIN LATERAL understudy_stage_of(n."experimentId", n."createdAt") s
  WHERE n."experimentId" IS NOT NULL\073

  -- CUPED covariates of users seen for the first time in an experiment (their events in the lookback)
  INSERT INTO "ExperimentUserPre" ("experimentId", "userId", "preEvents", "preRevenue", "preConverted")
  SELECT u."experimentId", u."userId", count(pe."eventId")::int,
         coalesce(sum(pe."value") FILTER (WHERE pe."type" = ''revenue''), 0),
         (count(pe."eventId") FILTER (WHERE pe."type" = ''conversion'') > 0)::int
  FROM (SELECT DISTINCT "experimentId", "userId" FROM understudy_new_exposures_b) u
  CROSS JOIN LATERAL understudy_pre_period(u."experimentId") w
  LEFT JOIN "Event" pe ON pe."userId" = u."userId" AND pe."timestamp" >= w.pre_from AND pe."timestamp" < w.pre_to
  GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT ("experimentId", "userId") DO NOTHING\073

  -- exposures, and the events stored before their exposure
  INSERT INTO understudy_user_increments
  SELECT "experimentId", stage_index, stage_started_at, settling, "variant", "userId", count(*), 0, 0, 0, 0, 0
  FROM understudy_new_exposures_b GROUP BY 1, 2, 3, 4, 5, 6
  UNION ALL
  SELECT x."experimentId", x.stage_index, x.stage_started_at, x.settling, x."variant", x."userId", 0, p.*
  FROM understudy_new_exposures_b x JOIN "Event" e ON e."requestId" = x."requestId"
  CROSS JOIN LATERAL understudy_event_parts(e."type", e."eventId", e."value") p\073
  PERFORM understudy_add_user_increments()\073

  INSERT INTO "ExperimentLatencyCount" AS l ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "latencyUs", "requests", "failed", "cpuUsSum", "batchSizeSum")
  SELECT "experimentId", stage_index, stage_started_at, settling, "variant", "latencyUs", count(*), count(*) FILTER (WHERE "failed"), sum("cpuUs"), sum("batchSize")
  FROM understudy_new_exposures_b GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "latencyUs")
  DO UPDATE SET "requests" = l."requests" + EXCLUDED."requests", "failed" = l."failed" + EXCLUDED."failed", "cpuUsSum" = l."cpuUsSum" + EXCLUDED."cpuUsSum",
                "batchSizeSum" = l."batchSizeSum" + EXCLUDED."batchSizeSum"\073

  TRUNCATE understudy_new_exposures_b\073
  RETURN NULL\073
END ';

-- The per-user and latency rebuild of 20261202010600_rollup_rebuild (renamed by 20261202020000_variant_sums),
-- with the batch size.
CREATE OR REPLACE FUNCTION understudy_rebuild_user_rollups(experiment_id TEXT) RETURNS void LANGUAGE plpgsql AS E'
BEGIN
  PERFORM pg_advisory_xact_lock(1301201)\073
  DELETE FROM "ExperimentUserAggregate" WHERE "experimentId" = experiment_id\073
  DELETE FROM "ExperimentLatencyCount" WHERE "experimentId" = experiment_id\073
  DELETE FROM "ExperimentUserPre" WHERE "experimentId" = experiment_id\073
  DROP TABLE IF EXISTS understudy_rebuild_exposures\073
  CREATE TEMP TABLE understudy_rebuild_exposures ON COMMIT DROP AS
  SELECT x."requestId", x."variant", x."userId", x."latencyUs", x."cpuUs", x."failed", x."batchSize", s.stage_index, s.stage_started_at, s.settling
  FROM "Exposure" x CROSS JOIN LATERAL understudy_stage_of(x."experimentId", x."createdAt") s
  WHERE x."experimentId" = experiment_id\073

  INSERT INTO "ExperimentUserAggregate" ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "userId", "exposures", "clicks", "conversions", "revenue", "heldoutN", "heldoutHits")
  SELECT experiment_id, g.stage_index, g.stage_started_at, g.settling, g."variant", g."userId", g.exposures,
         coalesce(e.clicks, 0), coalesce(e.conversions, 0), coalesce(e.revenue, 0), coalesce(e.heldout_n, 0), coalesce(e.heldout_hits, 0)
  FROM (
    SELECT stage_index, stage_started_at, settling, "variant", "userId", count(*)::int AS exposures
    FROM understudy_rebuild_exposures GROUP BY 1, 2, 3, 4, 5
  ) g
  LEFT JOIN (
    SELECT x.stage_index, x.stage_started_at, x.settling, x."variant", x."userId",
           count(*) FILTER (WHERE ev."type" = ''click'')::int AS clicks,
           count(*) FILTER (WHERE ev."type" = ''conversion'')::int AS conversions,
           coalesce(sum(ev."value") FILTER (WHERE ev."type" = ''revenue''), 0) AS revenue,
           count(*) FILTER (WHERE ev."type" = ''custom'' AND ev."eventId" LIKE ''heldout:%'')::int AS heldout_n,
           coalesce(sum(ev."value") FILTER (WHERE ev."type" = ''custom'' AND ev."eventId" LIKE ''heldout:%''), 0) AS heldout_hits
    FROM understudy_rebuild_exposures x JOIN "Event" ev ON ev."requestId" = x."requestId"
    GROUP BY 1, 2, 3, 4, 5
  ) e USING (stage_index, stage_started_at, settling, "variant", "userId")\073

  INSERT INTO "ExperimentLatencyCount" ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "latencyUs", "requests", "failed", "cpuUsSum", "batchSizeSum")
  SELECT experiment_id, stage_index, stage_started_at, settling, "variant", "latencyUs", count(*), count(*) FILTER (WHERE "failed"), sum("cpuUs"), sum("batchSize")
  FROM understudy_rebuild_exposures GROUP BY 2, 3, 4, 5, 6\073

  INSERT INTO "ExperimentUserPre" ("experimentId", "userId", "preEvents", "preRevenue", "preConverted")
  SELECT experiment_id, u."userId", coalesce(p.pre_events, 0), coalesce(p.pre_revenue, 0), coalesce(p.pre_converted, 0)
  FROM (SELECT DISTINCT "userId" FROM understudy_rebuild_exposures) u
  JOIN "Experiment" ex ON ex."id" = experiment_id AND ex."startedAt" IS NOT NULL
  LEFT JOIN (
    SELECT pe."userId", count(*)::int AS pre_events,
           coalesce(sum(pe."value") FILTER (WHERE pe."type" = ''revenue''), 0) AS pre_revenue,
           (count(*) FILTER (WHERE pe."type" = ''conversion'') > 0)::int AS pre_converted
    FROM "Event" pe JOIN "Experiment" ex2 ON ex2."id" = experiment_id
    WHERE pe."timestamp" >= ex2."startedAt" - make_interval(days => coalesce((ex2."guardrails"->>''cupedLookbackDays'')::int, 14))
      AND pe."timestamp" < ex2."startedAt"
    GROUP BY 1
  ) p ON p."userId" = u."userId"\073
END ';
