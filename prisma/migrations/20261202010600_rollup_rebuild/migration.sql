-- Function bodies are E'' strings with \073 for the semicolon: the migration runner splits scripts
-- at every semicolon.

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
