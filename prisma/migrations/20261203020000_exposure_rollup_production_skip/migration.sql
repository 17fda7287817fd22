-- Function bodies are E'' strings with \073 for the semicolon: the migration runner splits scripts
-- at every semicolon.

-- The exposure trigger of 20261203010000_latency_batch_size, returning at once for a statement without
-- experiment exposures. Production traffic is most of what serving writes, and for it the trigger only
-- took the shared rollup lock, created-if-missing and truncated its staging tables and ran its statements
-- over no rows: under the serving benchmark's load that cost the database about three times the
-- exposures' own insert (0.077 against 0.022 ms of PostgreSQL CPU a request). A statement with any
-- experiment row runs the whole trigger as before.
CREATE OR REPLACE FUNCTION understudy_rollup_exposures() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  -- production traffic (no experiment) has nothing to roll up: no lock, no staging, no temp-table truncation
  IF NOT EXISTS (SELECT 1 FROM new_rows WHERE "experimentId" IS NOT NULL) THEN
    RETURN NULL\073
  END IF\073
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
