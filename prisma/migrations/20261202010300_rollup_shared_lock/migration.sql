-- Rollup triggers: exposure writers no longer serialise each other.
--
-- The advisory lock of 20261201010500_report_rollups is needed for correctness, but only between an
-- exposure statement and an event statement: under READ COMMITTED each trigger sees only committed
-- rows, so without it an exposure and its event written by two concurrent transactions would both
-- miss each other (the pair never counted), and a first exposure of a user and a concurrent
-- pre-period event of that user would lose the event from the CUPED covariate. A finer key does not
-- work: an event does not name its experiment (its exposure may still be invisible), and per
-- request/user keys need about a thousand locks for a batch of 500 rows.
--
-- Two exposure statements never need each other's rows: every write they make is an additive
-- ON CONFLICT upsert (or DO NOTHING for the covariates, computed from the same committed events),
-- which PostgreSQL makes safe under concurrency. So exposure triggers now take the lock SHARED and
-- run in parallel, event triggers keep it EXCLUSIVE (they still exclude every exposure statement and
-- each other). The upserts insert in key order, so concurrent exposure statements lock the same
-- aggregate rows in the same order and cannot deadlock. The event trigger is unchanged.
--
-- Function bodies are E'' strings with \073 for the semicolon: the migration runner splits scripts
-- at every semicolon.

CREATE OR REPLACE FUNCTION understudy_rollup_exposures() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  PERFORM pg_advisory_xact_lock_shared(1301201)\073
  IF to_regclass(''pg_temp.understudy_new_exposures'') IS NULL THEN
    CREATE TEMP TABLE understudy_new_exposures (
      "experimentId" TEXT, "variant" TEXT, "userId" TEXT, "requestId" UUID, "latencyUs" INTEGER,
      "cpuUs" INTEGER, "failed" BOOLEAN, stage_index INTEGER, stage_started_at TIMESTAMP(3), settling BOOLEAN
    ) ON COMMIT DELETE ROWS\073
  END IF\073
  INSERT INTO understudy_new_exposures
  SELECT n."experimentId", n."variant", n."userId", n."requestId", n."latencyUs", n."cpuUs", n."failed", s.stage_index, s.stage_started_at, s.settling
  FROM new_rows n CROSS JOIN LATERAL understudy_stage_of(n."experimentId", n."createdAt") s
  WHERE n."experimentId" IS NOT NULL\073

  INSERT INTO "ExperimentUserAggregate" AS a ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "userId", "exposures")
  SELECT "experimentId", stage_index, stage_started_at, settling, "variant", "userId", count(*)
  FROM understudy_new_exposures GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "userId")
  DO UPDATE SET "exposures" = a."exposures" + EXCLUDED."exposures"\073

  -- events stored before their exposure
  INSERT INTO "ExperimentUserAggregate" AS a ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "userId", "clicks", "conversions", "revenue", "heldoutN", "heldoutHits")
  SELECT x."experimentId", x.stage_index, x.stage_started_at, x.settling, x."variant", x."userId",
         count(*) FILTER (WHERE e."type" = ''click''),
         count(*) FILTER (WHERE e."type" = ''conversion''),
         coalesce(sum(e."value") FILTER (WHERE e."type" = ''revenue''), 0),
         count(*) FILTER (WHERE e."type" = ''custom'' AND e."eventId" LIKE ''heldout:%''),
         coalesce(sum(e."value") FILTER (WHERE e."type" = ''custom'' AND e."eventId" LIKE ''heldout:%''), 0)
  FROM understudy_new_exposures x JOIN "Event" e ON e."requestId" = x."requestId"
  GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "userId")
  DO UPDATE SET "clicks" = a."clicks" + EXCLUDED."clicks", "conversions" = a."conversions" + EXCLUDED."conversions",
                "revenue" = a."revenue" + EXCLUDED."revenue", "heldoutN" = a."heldoutN" + EXCLUDED."heldoutN",
                "heldoutHits" = a."heldoutHits" + EXCLUDED."heldoutHits"\073

  INSERT INTO "ExperimentLatencyCount" AS l ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "latencyUs", "requests", "failed", "cpuUsSum")
  SELECT "experimentId", stage_index, stage_started_at, settling, "variant", "latencyUs", count(*), count(*) FILTER (WHERE "failed"), sum("cpuUs")
  FROM understudy_new_exposures GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "latencyUs")
  DO UPDATE SET "requests" = l."requests" + EXCLUDED."requests", "failed" = l."failed" + EXCLUDED."failed", "cpuUsSum" = l."cpuUsSum" + EXCLUDED."cpuUsSum"\073

  -- CUPED covariates of users seen for the first time in an experiment
  INSERT INTO "ExperimentUserPre" ("experimentId", "userId", "preEvents", "preRevenue", "preConverted")
  SELECT u."experimentId", u."userId", p.pre_events, p.pre_revenue, p.pre_converted
  FROM (SELECT DISTINCT "experimentId", "userId" FROM understudy_new_exposures) u
  JOIN "Experiment" ex ON ex."id" = u."experimentId" AND ex."startedAt" IS NOT NULL
  CROSS JOIN LATERAL (
    SELECT count(*)::int AS pre_events,
           coalesce(sum(pe."value") FILTER (WHERE pe."type" = ''revenue''), 0) AS pre_revenue,
           (count(*) FILTER (WHERE pe."type" = ''conversion'') > 0)::int AS pre_converted
    FROM "Event" pe
    WHERE pe."userId" = u."userId"
      AND pe."timestamp" >= ex."startedAt" - make_interval(days => coalesce((ex."guardrails"->>''cupedLookbackDays'')::int, 14))
      AND pe."timestamp" < ex."startedAt"
  ) p
  ORDER BY 1, 2
  ON CONFLICT ("experimentId", "userId") DO NOTHING\073

  TRUNCATE understudy_new_exposures\073
  RETURN NULL\073
END ';
