-- CreateTable
CREATE TABLE "ExperimentUserAggregate" (
    "experimentId" TEXT NOT NULL,
    "stageIndex" INTEGER NOT NULL,
    "stageStartedAt" TIMESTAMP(3) NOT NULL,
    "settling" BOOLEAN NOT NULL,
    "variant" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "exposures" INTEGER NOT NULL DEFAULT 0,
    "clicks" INTEGER NOT NULL DEFAULT 0,
    "conversions" INTEGER NOT NULL DEFAULT 0,
    "revenue" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "heldoutN" INTEGER NOT NULL DEFAULT 0,
    "heldoutHits" DOUBLE PRECISION NOT NULL DEFAULT 0,

    CONSTRAINT "ExperimentUserAggregate_pkey" PRIMARY KEY ("experimentId","stageIndex","stageStartedAt","settling","variant","userId")
);

-- CreateTable
CREATE TABLE "ExperimentUserPre" (
    "experimentId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "preEvents" INTEGER NOT NULL DEFAULT 0,
    "preRevenue" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "preConverted" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "ExperimentUserPre_pkey" PRIMARY KEY ("experimentId","userId")
);

-- CreateTable
CREATE TABLE "ExperimentLatencyCount" (
    "experimentId" TEXT NOT NULL,
    "stageIndex" INTEGER NOT NULL,
    "stageStartedAt" TIMESTAMP(3) NOT NULL,
    "settling" BOOLEAN NOT NULL,
    "variant" TEXT NOT NULL,
    "latencyUs" INTEGER NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "cpuUsSum" DOUBLE PRECISION NOT NULL DEFAULT 0,

    CONSTRAINT "ExperimentLatencyCount_pkey" PRIMARY KEY ("experimentId","stageIndex","stageStartedAt","settling","variant","latencyUs")
);

-- CreateTable
CREATE TABLE "Metric" (
    "id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "aggregation" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "measure" TEXT NOT NULL DEFAULT 'count',
    "denominatorEvent" TEXT,
    "denominatorMeasure" TEXT NOT NULL DEFAULT 'count',
    "quantile" DOUBLE PRECISION,
    "direction" TEXT NOT NULL,
    "capPercentile" DOUBLE PRECISION,
    "nonInferiorityMargin" DOUBLE PRECISION NOT NULL,
    "builtIn" BOOLEAN NOT NULL DEFAULT false,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Metric_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExperimentMetric" (
    "experimentId" TEXT NOT NULL,
    "metricId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "nonInferiorityMargin" DOUBLE PRECISION,

    CONSTRAINT "ExperimentMetric_pkey" PRIMARY KEY ("experimentId","metricId")
);

-- CreateIndex
CREATE INDEX "ExperimentUserPre_userId_idx" ON "ExperimentUserPre"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "Metric_key_key" ON "Metric"("key");

-- AddForeignKey
ALTER TABLE "ExperimentUserAggregate" ADD CONSTRAINT "ExperimentUserAggregate_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExperimentUserPre" ADD CONSTRAINT "ExperimentUserPre_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExperimentLatencyCount" ADD CONSTRAINT "ExperimentLatencyCount_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExperimentMetric" ADD CONSTRAINT "ExperimentMetric_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExperimentMetric" ADD CONSTRAINT "ExperimentMetric_metricId_fkey" FOREIGN KEY ("metricId") REFERENCES "Metric"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The built-in KPIs as catalogue entries (lib/experiments/metrics.ts BUILT_IN_METRICS).
INSERT INTO "Metric" ("id", "key", "name", "description", "aggregation", "event", "measure", "denominatorEvent", "denominatorMeasure", "direction", "nonInferiorityMargin", "builtIn", "updatedAt") VALUES
  ('builtin_ctr', 'ctr', 'CTR', 'click events / exposures, variance by the delta method clustered by user', 'ratio', 'click', 'count', 'exposure', 'count', 'higherIsBetter', 0.02, true, CURRENT_TIMESTAMP),
  ('builtin_conversion', 'conversion', 'Conversion per user', 'share of exposed users with at least one attributed conversion event', 'share', 'conversion', 'count', NULL, 'count', 'higherIsBetter', 0.02, true, CURRENT_TIMESTAMP),
  ('builtin_revenue', 'revenue', 'Revenue per user', 'sum of attributed revenue event values per exposed user', 'mean', 'revenue', 'value', NULL, 'count', 'higherIsBetter', 0.02, true, CURRENT_TIMESTAMP);

-- Function bodies are E'' strings with \073 for the semicolon: the migration runner splits scripts
-- at every semicolon.

-- ---- Rollup triggers (issue 13). Exposures and events are append-only: every INSERT statement on
-- either table adds its rows to the per-user aggregates in the same transaction. Exposures and events
-- may arrive in either order (events are joined to exposures through requestId): the exposure trigger
-- also counts events already stored for its requests, the event trigger counts events whose exposure
-- is already stored. One transaction-scoped advisory lock orders the two triggers so that of two
-- concurrent transactions the later one sees the earlier one's rows: every (exposure, event) pair is
-- counted exactly once.

-- The stage an exposure served at `at` belongs to: the RolloutStage with startedAt <= at < endedAt
-- (endedAt null: still running), and that stage's startedAt (a resumed stage restarts its window):
-- settling = inside its first 2 seconds (STAGE_SETTLE_MS).
CREATE FUNCTION understudy_stage_of(experiment_id TEXT, at TIMESTAMP(3))
RETURNS TABLE (stage_index INTEGER, stage_started_at TIMESTAMP(3), settling BOOLEAN) LANGUAGE sql STABLE AS $$
  SELECT coalesce(s."index", -1), coalesce(s."startedAt", timestamp '1970-01-01'), coalesce(at < s."startedAt" + interval '2 seconds', false)
  FROM (SELECT 1) one
  LEFT JOIN LATERAL (
    SELECT st."index", st."startedAt" FROM "RolloutStage" st
    WHERE st."experimentId" = experiment_id AND st."startedAt" IS NOT NULL AND st."startedAt" <= at
      AND (st."endedAt" IS NULL OR at < st."endedAt")
    ORDER BY st."index" DESC LIMIT 1
  ) s ON true
$$;

CREATE FUNCTION understudy_rollup_exposures() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  PERFORM pg_advisory_xact_lock(1301201)\073
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
  FROM understudy_new_exposures GROUP BY 1, 2, 3, 4, 5, 6
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
  GROUP BY 1, 2, 3, 4, 5, 6
  ON CONFLICT ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "userId")
  DO UPDATE SET "clicks" = a."clicks" + EXCLUDED."clicks", "conversions" = a."conversions" + EXCLUDED."conversions",
                "revenue" = a."revenue" + EXCLUDED."revenue", "heldoutN" = a."heldoutN" + EXCLUDED."heldoutN",
                "heldoutHits" = a."heldoutHits" + EXCLUDED."heldoutHits"\073

  INSERT INTO "ExperimentLatencyCount" AS l ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "latencyUs", "requests", "failed", "cpuUsSum")
  SELECT "experimentId", stage_index, stage_started_at, settling, "variant", "latencyUs", count(*), count(*) FILTER (WHERE "failed"), sum("cpuUs")
  FROM understudy_new_exposures GROUP BY 1, 2, 3, 4, 5, 6
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
  ON CONFLICT ("experimentId", "userId") DO NOTHING\073

  TRUNCATE understudy_new_exposures\073
  RETURN NULL\073
END ';

CREATE FUNCTION understudy_rollup_events() RETURNS trigger LANGUAGE plpgsql AS E'
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
  GROUP BY 1, 2, 3, 4, 5, 6
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

CREATE TRIGGER understudy_rollup_exposures AFTER INSERT ON "Exposure"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION understudy_rollup_exposures();
CREATE TRIGGER understudy_rollup_events AFTER INSERT ON "Event"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION understudy_rollup_events();

-- Backfill from the rows already stored.
INSERT INTO "ExperimentUserAggregate" ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "userId", "exposures")
SELECT x."experimentId", s.stage_index, s.stage_started_at, s.settling, x."variant", x."userId", count(*)
FROM "Exposure" x CROSS JOIN LATERAL understudy_stage_of(x."experimentId", x."createdAt") s
WHERE x."experimentId" IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6;
UPDATE "ExperimentUserAggregate" a
SET "clicks" = d.clicks, "conversions" = d.conversions, "revenue" = d.revenue, "heldoutN" = d.heldout_n, "heldoutHits" = d.heldout_hits
FROM (
  SELECT x."experimentId", s.stage_index, s.stage_started_at, s.settling, x."variant", x."userId",
         count(*) FILTER (WHERE e."type" = 'click') AS clicks,
         count(*) FILTER (WHERE e."type" = 'conversion') AS conversions,
         coalesce(sum(e."value") FILTER (WHERE e."type" = 'revenue'), 0) AS revenue,
         count(*) FILTER (WHERE e."type" = 'custom' AND e."eventId" LIKE 'heldout:%') AS heldout_n,
         coalesce(sum(e."value") FILTER (WHERE e."type" = 'custom' AND e."eventId" LIKE 'heldout:%'), 0) AS heldout_hits
  FROM "Exposure" x JOIN "Event" e ON e."requestId" = x."requestId"
  CROSS JOIN LATERAL understudy_stage_of(x."experimentId", x."createdAt") s
  WHERE x."experimentId" IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6
) d
WHERE a."experimentId" = d."experimentId" AND a."stageIndex" = d.stage_index AND a."stageStartedAt" = d.stage_started_at AND a."settling" = d.settling
  AND a."variant" = d."variant" AND a."userId" = d."userId";
INSERT INTO "ExperimentLatencyCount" ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "latencyUs", "requests", "failed", "cpuUsSum")
SELECT x."experimentId", s.stage_index, s.stage_started_at, s.settling, x."variant", x."latencyUs", count(*), count(*) FILTER (WHERE x."failed"), sum(x."cpuUs")
FROM "Exposure" x CROSS JOIN LATERAL understudy_stage_of(x."experimentId", x."createdAt") s
WHERE x."experimentId" IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO "ExperimentUserPre" ("experimentId", "userId", "preEvents", "preRevenue", "preConverted")
SELECT u."experimentId", u."userId", p.pre_events, p.pre_revenue, p.pre_converted
FROM (SELECT DISTINCT "experimentId", "userId" FROM "Exposure" WHERE "experimentId" IS NOT NULL) u
JOIN "Experiment" ex ON ex."id" = u."experimentId" AND ex."startedAt" IS NOT NULL
CROSS JOIN LATERAL (
  SELECT count(*)::int AS pre_events,
         coalesce(sum(pe."value") FILTER (WHERE pe."type" = 'revenue'), 0) AS pre_revenue,
         (count(*) FILTER (WHERE pe."type" = 'conversion') > 0)::int AS pre_converted
  FROM "Event" pe
  WHERE pe."userId" = u."userId"
    AND pe."timestamp" >= ex."startedAt" - make_interval(days => coalesce((ex."guardrails"->>'cupedLookbackDays')::int, 14))
    AND pe."timestamp" < ex."startedAt"
) p;
