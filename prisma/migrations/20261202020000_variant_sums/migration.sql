-- CreateTable
CREATE TABLE "ExperimentVariantSums" (
    "experimentId" TEXT NOT NULL,
    "stageIndex" INTEGER NOT NULL,
    "stageStartedAt" TIMESTAMP(3) NOT NULL,
    "settling" BOOLEAN NOT NULL,
    "variant" TEXT NOT NULL,
    "segment" TEXT NOT NULL,
    "shard" INTEGER NOT NULL,
    "users" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "exposures" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "exposuresSq" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "clicks" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "clicksSq" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "clicksExposures" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "converters" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "revenue" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "revenueSq" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "heldoutN" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "heldoutNSq" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "heldoutHits" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "heldoutHitsSq" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "heldoutHitsN" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "preUsers" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "preRevenue" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "preRevenueSq" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "preRevenueRevenue" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "preConverted" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "preConvertedConverted" DOUBLE PRECISION NOT NULL DEFAULT 0,

    CONSTRAINT "ExperimentVariantSums_pkey" PRIMARY KEY ("experimentId","stageIndex","stageStartedAt","settling","variant","segment","shard")
);

-- CreateIndex
CREATE INDEX "ExperimentUserAggregate_experimentId_userId_idx" ON "ExperimentUserAggregate"("experimentId", "userId");

-- AddForeignKey
ALTER TABLE "ExperimentVariantSums" ADD CONSTRAINT "ExperimentVariantSums_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Function bodies are E'' strings with \073 for the semicolon: the migration runner splits scripts
-- at every semicolon.

-- ---- Per-variant running sums (issue 13, reports at scale). A stage report needs, per variant, only
-- sums over users of the per-user totals (x exposures, c clicks, v converted, r revenue, hn/hh held-out,
-- pre-period covariates) and of their squares and cross-products. The triggers that change a user's
-- row of ExperimentUserAggregate (or the user's ExperimentUserPre) add that user's new contribution
-- and subtract the old one, so the report reads a few dozen rows instead of one per user. Rows are
-- sharded by the writing backend (pid mod 64): every statement's deltas land in its own shard rows,
-- so exposure writers that run in parallel (shared advisory lock) do not queue on one hot row.

-- The per-session staging table of contributions: sign +1 for a user's new totals, -1 for the old.
CREATE FUNCTION understudy_sum_deltas_ready() RETURNS void LANGUAGE plpgsql AS E'
BEGIN
  IF to_regclass(''pg_temp.understudy_sum_deltas'') IS NULL THEN
    CREATE TEMP TABLE understudy_sum_deltas (
      "experimentId" TEXT, stage_index INTEGER, stage_started_at TIMESTAMP(3), settling BOOLEAN, "variant" TEXT, "userId" TEXT,
      sign FLOAT8, x FLOAT8, c FLOAT8, conversions FLOAT8, r FLOAT8, hn FLOAT8, hh FLOAT8,
      pre_events FLOAT8, pr FLOAT8, pv FLOAT8
    ) ON COMMIT DELETE ROWS\073
  END IF\073
END ';

-- Adds the staged contributions to ExperimentVariantSums (every user to segment "", and when the
-- experiment's candidate dataset has a segmentation, its long-tail and cold users also to theirs: users
-- the dataset does not know are cold, as in the segment report) and empties the staging table. Users without exposures contribute
-- nothing (the per-user report keeps only users with sum(exposures) > 0).
CREATE FUNCTION understudy_apply_sum_deltas() RETURNS void LANGUAGE plpgsql AS E'
BEGIN
  INSERT INTO "ExperimentVariantSums" AS s ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "segment", "shard",
    "users", "exposures", "exposuresSq", "clicks", "clicksSq", "clicksExposures", "converters", "revenue", "revenueSq",
    "heldoutN", "heldoutNSq", "heldoutHits", "heldoutHitsSq", "heldoutHitsN",
    "preUsers", "preRevenue", "preRevenueSq", "preRevenueRevenue", "preConverted", "preConvertedConverted")
  SELECT d."experimentId", d.stage_index, d.stage_started_at, d.settling, d."variant", g.segment, pg_backend_pid() % 64,
         sum(d.sign), sum(d.sign * d.x), sum(d.sign * d.x * d.x),
         sum(d.sign * d.c), sum(d.sign * d.c * d.c), sum(d.sign * d.c * d.x),
         sum(d.sign * d.v), sum(d.sign * d.r), sum(d.sign * d.r * d.r),
         sum(d.sign * d.hn), sum(d.sign * d.hn * d.hn), sum(d.sign * d.hh), sum(d.sign * d.hh * d.hh), sum(d.sign * d.hh * d.hn),
         sum(d.sign * d.pre_user), sum(d.sign * d.pr), sum(d.sign * d.pr * d.pr), sum(d.sign * d.pr * d.r),
         sum(d.sign * d.pv), sum(d.sign * d.pv * d.v)
  FROM (
    SELECT dd."experimentId", dd.stage_index, dd.stage_started_at, dd.settling, dd."variant", dd."userId", dd.sign, dd.x, dd.c,
           (dd.conversions > 0)::int::float8 AS v, dd.r, dd.hn, dd.hh,
           (coalesce(dd.pre_events, 0) > 0)::int::float8 AS pre_user, coalesce(dd.pr, 0) AS pr, coalesce(dd.pv, 0) AS pv
    FROM understudy_sum_deltas dd WHERE dd.x > 0
  ) d
  LEFT JOIN (
    SELECT v."experimentId", ds."datasetId"
    FROM "Variant" v JOIN "Model" m ON m."id" = v."modelId" JOIN "DatasetSegmentation" ds ON ds."datasetId" = m."datasetId"
    WHERE v."key" = ''candidate''
  ) seg ON seg."experimentId" = d."experimentId"
  LEFT JOIN "DatasetUserSegment" us ON us."datasetId" = seg."datasetId" AND us."userId" = d."userId"
  JOIN (VALUES (''''), (''long_tail''), (''cold'')) g(segment)
    ON g.segment = '''' OR (seg."datasetId" IS NOT NULL AND ((g.segment = ''long_tail'' AND coalesce(us."longTail", false))
                                                          OR (g.segment = ''cold'' AND coalesce(us."cold", true))))
  GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "segment", "shard") DO UPDATE SET
    "users" = s."users" + EXCLUDED."users", "exposures" = s."exposures" + EXCLUDED."exposures", "exposuresSq" = s."exposuresSq" + EXCLUDED."exposuresSq",
    "clicks" = s."clicks" + EXCLUDED."clicks", "clicksSq" = s."clicksSq" + EXCLUDED."clicksSq", "clicksExposures" = s."clicksExposures" + EXCLUDED."clicksExposures",
    "converters" = s."converters" + EXCLUDED."converters", "revenue" = s."revenue" + EXCLUDED."revenue", "revenueSq" = s."revenueSq" + EXCLUDED."revenueSq",
    "heldoutN" = s."heldoutN" + EXCLUDED."heldoutN", "heldoutNSq" = s."heldoutNSq" + EXCLUDED."heldoutNSq",
    "heldoutHits" = s."heldoutHits" + EXCLUDED."heldoutHits", "heldoutHitsSq" = s."heldoutHitsSq" + EXCLUDED."heldoutHitsSq",
    "heldoutHitsN" = s."heldoutHitsN" + EXCLUDED."heldoutHitsN",
    "preUsers" = s."preUsers" + EXCLUDED."preUsers", "preRevenue" = s."preRevenue" + EXCLUDED."preRevenue",
    "preRevenueSq" = s."preRevenueSq" + EXCLUDED."preRevenueSq", "preRevenueRevenue" = s."preRevenueRevenue" + EXCLUDED."preRevenueRevenue",
    "preConverted" = s."preConverted" + EXCLUDED."preConverted", "preConvertedConverted" = s."preConvertedConverted" + EXCLUDED."preConvertedConverted"\073
  TRUNCATE understudy_sum_deltas\073
END ';

-- One experiment's sums from its per-user rollups (set-based): the backfill after a rebuild or a new
-- segmentation, and the reference the triggers' running sums are tested against.
CREATE FUNCTION understudy_rebuild_variant_sums(experiment_id TEXT) RETURNS void LANGUAGE plpgsql AS E'
BEGIN
  PERFORM pg_advisory_xact_lock(1301201)\073
  PERFORM understudy_sum_deltas_ready()\073
  DELETE FROM "ExperimentVariantSums" WHERE "experimentId" = experiment_id\073
  INSERT INTO understudy_sum_deltas
  SELECT a."experimentId", a."stageIndex", a."stageStartedAt", a."settling", a."variant", a."userId", 1,
         a."exposures", a."clicks", a."conversions", a."revenue", a."heldoutN", a."heldoutHits", p."preEvents", p."preRevenue", p."preConverted"
  FROM "ExperimentUserAggregate" a
  LEFT JOIN "ExperimentUserPre" p ON p."experimentId" = a."experimentId" AND p."userId" = a."userId"
  WHERE a."experimentId" = experiment_id\073
  PERFORM understudy_apply_sum_deltas()\073
END ';

-- The exposure trigger: as in 20261202010300_rollup_shared_lock, with the CUPED covariates of new users
-- stored first (so the sums see them), the user's exposures and already-stored events added in one
-- upsert, and each changed user's contribution to the sums replaced (old totals = new − increment:
-- concurrent writers of the same user each subtract exactly what was there before their own update).
CREATE OR REPLACE FUNCTION understudy_rollup_exposures() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  PERFORM pg_advisory_xact_lock_shared(1301201)\073
  PERFORM understudy_sum_deltas_ready()\073
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

  -- exposures, and the events stored before their exposure
  WITH inc AS (
    SELECT g."experimentId", g.stage_index, g.stage_started_at, g.settling, g."variant", g."userId", g.x,
           coalesce(e.c, 0) AS c, coalesce(e.conversions, 0) AS conversions, coalesce(e.r, 0) AS r, coalesce(e.hn, 0) AS hn, coalesce(e.hh, 0) AS hh
    FROM (
      SELECT "experimentId", stage_index, stage_started_at, settling, "variant", "userId", count(*)::int AS x
      FROM understudy_new_exposures GROUP BY 1, 2, 3, 4, 5, 6
    ) g
    LEFT JOIN (
      SELECT x."experimentId", x.stage_index, x.stage_started_at, x.settling, x."variant", x."userId",
             count(*) FILTER (WHERE e."type" = ''click'')::int AS c,
             count(*) FILTER (WHERE e."type" = ''conversion'')::int AS conversions,
             coalesce(sum(e."value") FILTER (WHERE e."type" = ''revenue''), 0) AS r,
             count(*) FILTER (WHERE e."type" = ''custom'' AND e."eventId" LIKE ''heldout:%'')::int AS hn,
             coalesce(sum(e."value") FILTER (WHERE e."type" = ''custom'' AND e."eventId" LIKE ''heldout:%''), 0) AS hh
      FROM understudy_new_exposures x JOIN "Event" e ON e."requestId" = x."requestId"
      GROUP BY 1, 2, 3, 4, 5, 6
    ) e USING ("experimentId", stage_index, stage_started_at, settling, "variant", "userId")
  ),
  up AS (
    INSERT INTO "ExperimentUserAggregate" AS a ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "userId",
      "exposures", "clicks", "conversions", "revenue", "heldoutN", "heldoutHits")
    SELECT "experimentId", stage_index, stage_started_at, settling, "variant", "userId", x, c, conversions, r, hn, hh
    FROM inc ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "userId")
    DO UPDATE SET "exposures" = a."exposures" + EXCLUDED."exposures", "clicks" = a."clicks" + EXCLUDED."clicks",
                  "conversions" = a."conversions" + EXCLUDED."conversions", "revenue" = a."revenue" + EXCLUDED."revenue",
                  "heldoutN" = a."heldoutN" + EXCLUDED."heldoutN", "heldoutHits" = a."heldoutHits" + EXCLUDED."heldoutHits"
    RETURNING a.*
  )
  INSERT INTO understudy_sum_deltas
  SELECT u."experimentId", u."stageIndex", u."stageStartedAt", u."settling", u."variant", u."userId", t.sign,
         u."exposures" - t.k * i.x, u."clicks" - t.k * i.c, u."conversions" - t.k * i.conversions, u."revenue" - t.k * i.r,
         u."heldoutN" - t.k * i.hn, u."heldoutHits" - t.k * i.hh, p."preEvents", p."preRevenue", p."preConverted"
  FROM up u
  JOIN inc i ON i."experimentId" = u."experimentId" AND i.stage_index = u."stageIndex" AND i.stage_started_at = u."stageStartedAt"
    AND i.settling = u."settling" AND i."variant" = u."variant" AND i."userId" = u."userId"
  CROSS JOIN (VALUES (1::float8, 0), (-1::float8, 1)) t(sign, k)
  LEFT JOIN "ExperimentUserPre" p ON p."experimentId" = u."experimentId" AND p."userId" = u."userId"\073
  PERFORM understudy_apply_sum_deltas()\073

  INSERT INTO "ExperimentLatencyCount" AS l ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "latencyUs", "requests", "failed", "cpuUsSum")
  SELECT "experimentId", stage_index, stage_started_at, settling, "variant", "latencyUs", count(*), count(*) FILTER (WHERE "failed"), sum("cpuUs")
  FROM understudy_new_exposures GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "latencyUs")
  DO UPDATE SET "requests" = l."requests" + EXCLUDED."requests", "failed" = l."failed" + EXCLUDED."failed", "cpuUsSum" = l."cpuUsSum" + EXCLUDED."cpuUsSum"\073

  TRUNCATE understudy_new_exposures\073
  RETURN NULL\073
END ';

-- The event trigger: as before, and every user row it changes (events of stored exposures, late
-- pre-period history) replaces its contribution to the sums. It holds the lock exclusively, so the
-- rows it reads before changing them are the old totals.
CREATE OR REPLACE FUNCTION understudy_rollup_events() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  PERFORM pg_advisory_xact_lock(1301201)\073
  PERFORM understudy_sum_deltas_ready()\073
  WITH inc AS (
    SELECT x."experimentId", s.stage_index, s.stage_started_at, s.settling, x."variant", x."userId",
           count(*) FILTER (WHERE e."type" = ''click'')::int AS c,
           count(*) FILTER (WHERE e."type" = ''conversion'')::int AS conversions,
           coalesce(sum(e."value") FILTER (WHERE e."type" = ''revenue''), 0) AS r,
           count(*) FILTER (WHERE e."type" = ''custom'' AND e."eventId" LIKE ''heldout:%'')::int AS hn,
           coalesce(sum(e."value") FILTER (WHERE e."type" = ''custom'' AND e."eventId" LIKE ''heldout:%''), 0) AS hh
    FROM new_rows e
    JOIN "Exposure" x ON x."requestId" = e."requestId" AND x."experimentId" IS NOT NULL
    CROSS JOIN LATERAL understudy_stage_of(x."experimentId", x."createdAt") s
    GROUP BY 1, 2, 3, 4, 5, 6
  ),
  up AS (
    INSERT INTO "ExperimentUserAggregate" AS a ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "userId", "clicks", "conversions", "revenue", "heldoutN", "heldoutHits")
    SELECT "experimentId", stage_index, stage_started_at, settling, "variant", "userId", c, conversions, r, hn, hh
    FROM inc ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "userId")
    DO UPDATE SET "clicks" = a."clicks" + EXCLUDED."clicks", "conversions" = a."conversions" + EXCLUDED."conversions",
                  "revenue" = a."revenue" + EXCLUDED."revenue", "heldoutN" = a."heldoutN" + EXCLUDED."heldoutN",
                  "heldoutHits" = a."heldoutHits" + EXCLUDED."heldoutHits"
    RETURNING a.*
  ),
  old AS (
    SELECT a.* FROM "ExperimentUserAggregate" a
    JOIN inc i ON a."experimentId" = i."experimentId" AND a."stageIndex" = i.stage_index AND a."stageStartedAt" = i.stage_started_at
      AND a."settling" = i.settling AND a."variant" = i."variant" AND a."userId" = i."userId"
  )
  INSERT INTO understudy_sum_deltas
  SELECT c."experimentId", c."stageIndex", c."stageStartedAt", c."settling", c."variant", c."userId", c.sign,
         c."exposures", c."clicks", c."conversions", c."revenue", c."heldoutN", c."heldoutHits", p."preEvents", p."preRevenue", p."preConverted"
  FROM (SELECT 1::float8 AS sign, * FROM up UNION ALL SELECT -1::float8, * FROM old) c
  LEFT JOIN "ExperimentUserPre" p ON p."experimentId" = c."experimentId" AND p."userId" = c."userId"\073

  -- late-arriving pre-period history of users already in an experiment
  WITH d AS (
    SELECT pr."experimentId", pr."userId", count(*)::int AS pre_events,
           coalesce(sum(e."value") FILTER (WHERE e."type" = ''revenue''), 0) AS pre_revenue,
           (count(*) FILTER (WHERE e."type" = ''conversion'') > 0)::int AS pre_converted
    FROM new_rows e
    JOIN "ExperimentUserPre" pr ON pr."userId" = e."userId"
    JOIN "Experiment" ex ON ex."id" = pr."experimentId"
    WHERE e."timestamp" >= ex."startedAt" - make_interval(days => coalesce((ex."guardrails"->>''cupedLookbackDays'')::int, 14))
      AND e."timestamp" < ex."startedAt"
    GROUP BY 1, 2
  ),
  old AS (
    SELECT p.* FROM "ExperimentUserPre" p JOIN d ON p."experimentId" = d."experimentId" AND p."userId" = d."userId"
  ),
  up AS (
    UPDATE "ExperimentUserPre" p
    SET "preEvents" = p."preEvents" + d.pre_events, "preRevenue" = p."preRevenue" + d.pre_revenue,
        "preConverted" = greatest(p."preConverted", d.pre_converted)
    FROM d
    WHERE p."experimentId" = d."experimentId" AND p."userId" = d."userId"
    RETURNING p.*
  )
  INSERT INTO understudy_sum_deltas
  SELECT a."experimentId", a."stageIndex", a."stageStartedAt", a."settling", a."variant", a."userId", c.sign,
         a."exposures", a."clicks", a."conversions", a."revenue", a."heldoutN", a."heldoutHits", c."preEvents", c."preRevenue", c."preConverted"
  FROM (SELECT 1::float8 AS sign, * FROM up UNION ALL SELECT -1::float8, * FROM old) c
  JOIN "ExperimentUserAggregate" a ON a."experimentId" = c."experimentId" AND a."userId" = c."userId"\073
  PERFORM understudy_apply_sum_deltas()\073
  RETURN NULL\073
END ';

-- The rebuild of 20261202010600_rollup_rebuild, now also rebuilding the sums.
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
  PERFORM understudy_rebuild_variant_sums(experiment_id)\073
END ';

-- Backfill from the rollups already stored.
SELECT understudy_rebuild_variant_sums("id") FROM "Experiment";
