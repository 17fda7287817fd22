-- Rollup writers no longer queue behind one another. The lock exists so that an exposure and an event
-- of the same request, written by two concurrent transactions, are counted exactly once: whichever
-- trigger runs second must see the first one's committed rows. That needs exposure writers to exclude
-- event writers, not each other: exposure statements take the lock SHARED (the serving hot path, many
-- writers at once), event statements EXCLUSIVE (batched, off the hot path). Each trigger statement
-- runs after its lock is granted, so under READ COMMITTED it sees every transaction that held the lock
-- in the other mode. Concurrent exposure writers may upsert the same aggregate rows, and every upsert now
-- visits its keys in one order (ORDER BY the conflict key), so two of them wait rather than deadlock.
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
  FROM (SELECT DISTINCT "experimentId", "userId" FROM understudy_new_exposures ORDER BY 1, 2) u
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
  ON CONFLICT ("experimentId", "userId") DO NOTHING\073

  TRUNCATE understudy_new_exposures\073
  RETURN NULL\073
END ';

CREATE OR REPLACE FUNCTION understudy_rollup_events() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  PERFORM pg_advisory_xact_lock(1301201)\073
  INSERT INTO "ExperimentUserAggregate" AS a ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "userId", "clicks", "conversions", "revenue", "heldoutN", "heldoutHits")
  SELECT x."experimentId", s.stage_index, s.stage_started_at, s.settling, x."variant", x."userId",
         count(*) FILTER (WHERE e."type" = ''click''),
         count(*) FILTER (WHERE e."type" = ''conversion''),
         coalesce(sum(e."value") FILTER (WHERE e."type" = ''revenue''), 0),
         count(*) FILTER (WHERE e."type" = ''custom'' AND e."eventId" LIKE ''heldout:%''),
         coalesce(sum(e."value") FILTER (WHERE e."type" = ''custom'' AND e."eventId" LIKE ''heldout:%''), 0)
  FROM new_rows e
  JOIN "Exposure" x ON x."requestId" = e."requestId" AND x."experimentId" IS NOT NULL
  CROSS JOIN LATERAL understudy_stage_of(x."experimentId", x."createdAt") s
  GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "userId")
  DO UPDATE SET "clicks" = a."clicks" + EXCLUDED."clicks", "conversions" = a."conversions" + EXCLUDED."conversions",
                "revenue" = a."revenue" + EXCLUDED."revenue", "heldoutN" = a."heldoutN" + EXCLUDED."heldoutN",
                "heldoutHits" = a."heldoutHits" + EXCLUDED."heldoutHits"\073

  -- late-arriving pre-period history of users already in an experiment
  UPDATE "ExperimentUserPre" p
  SET "preEvents" = p."preEvents" + d.pre_events, "preRevenue" = p."preRevenue" + d.pre_revenue,
      "preConverted" = greatest(p."preConverted", d.pre_converted)
  FROM (
    SELECT pr."experimentId", pr."userId", count(*)::int AS pre_events,
           coalesce(sum(e."value") FILTER (WHERE e."type" = ''revenue''), 0) AS pre_revenue,
           (count(*) FILTER (WHERE e."type" = ''conversion'') > 0)::int AS pre_converted
    FROM new_rows e
    JOIN "ExperimentUserPre" pr ON pr."userId" = e."userId"
    JOIN "Experiment" ex ON ex."id" = pr."experimentId"
    WHERE e."timestamp" >= ex."startedAt" - make_interval(days => coalesce((ex."guardrails"->>''cupedLookbackDays'')::int, 14))
      AND e."timestamp" < ex."startedAt"
    GROUP BY 1, 2
  ) d
  WHERE p."experimentId" = d."experimentId" AND p."userId" = d."userId"\073
  RETURN NULL\073
END ';

-- The set-based rebuild of one experiment's rollups from its stored rows: the backfill for rows written
-- while the triggers were off (bulk loads, restores), and the reference the triggers are tested against.
CREATE OR REPLACE FUNCTION understudy_rebuild_rollups(experiment_id TEXT) RETURNS void LANGUAGE plpgsql AS E'
BEGIN
  PERFORM pg_advisory_xact_lock(1301201)\073
  DELETE FROM "ExperimentUserAggregate" WHERE "experimentId" = experiment_id\073
  DELETE FROM "ExperimentLatencyCount" WHERE "experimentId" = experiment_id\073
  DELETE FROM "ExperimentUserPre" WHERE "experimentId" = experiment_id\073
  DROP TABLE IF EXISTS understudy_rebuild_exposures\073
  CREATE TEMP TABLE understudy_rebuild_exposures ON COMMIT DROP AS
  SELECT x."requestId", x."variant", x."userId", x."latencyUs", x."cpuUs", x."failed", s.stage_index, s.stage_started_at, s.settling
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

  INSERT INTO "ExperimentLatencyCount" ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "latencyUs", "requests", "failed", "cpuUsSum")
  SELECT experiment_id, stage_index, stage_started_at, settling, "variant", "latencyUs", count(*), count(*) FILTER (WHERE "failed"), sum("cpuUs")
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
