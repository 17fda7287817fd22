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
-- sharded 64 ways: a writing transaction takes a free shard (a transaction-scoped try-lock per shard,
-- starting at its backend pid mod 64) and writes only that shard's rows, so exposure writers that run
-- in parallel (shared advisory lock) never wait on each other's sum rows (beyond 64 open writers they
-- share a shard and queue on its rows).

-- The per-session staging tables, keyed in the order of the rollups: the exposures of the statement,
-- increments of per-user rows, and contributions to the sums (sign +1 for a user's new totals, -1 for
-- the old).
CREATE FUNCTION understudy_rollup_staging_ready() RETURNS void LANGUAGE plpgsql AS E'
BEGIN
  IF to_regclass(''pg_temp.understudy_new_exposures'') IS NULL THEN
    CREATE TEMP TABLE understudy_new_exposures (
      "experimentId" TEXT, stage_index INTEGER, stage_started_at TIMESTAMP(3), settling BOOLEAN, "variant" TEXT, "userId" TEXT,
      "requestId" UUID, "latencyUs" INTEGER, "cpuUs" INTEGER, "failed" BOOLEAN
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

-- Adds the staged contributions to ExperimentVariantSums (every user to segment "", and when the
-- experiment's candidate dataset has a segmentation, its long-tail and cold users also to theirs: users
-- the dataset does not know are cold, as in the segment report) and empties the staging table. Users
-- without exposures contribute nothing (the per-user report keeps only users with sum(exposures) > 0).
CREATE FUNCTION understudy_apply_sum_deltas() RETURNS void LANGUAGE plpgsql AS E'
DECLARE
  my_shard INTEGER := pg_backend_pid() % 64\073
  tried INTEGER := 0\073
BEGIN
  WHILE tried < 64 AND NOT pg_try_advisory_xact_lock(1301202, (my_shard + tried) % 64) LOOP
    tried := tried + 1\073
  END LOOP\073
  my_shard := (my_shard + tried) % 64\073
  INSERT INTO "ExperimentVariantSums" AS s ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "segment", "shard",
    "users", "exposures", "exposuresSq", "clicks", "clicksSq", "clicksExposures", "converters", "revenue", "revenueSq",
    "heldoutN", "heldoutNSq", "heldoutHits", "heldoutHitsSq", "heldoutHitsN",
    "preUsers", "preRevenue", "preRevenueSq", "preRevenueRevenue", "preConverted", "preConvertedConverted")
  SELECT d."experimentId", d.stage_index, d.stage_started_at, d.settling, d."variant", g.segment, my_shard,
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
  PERFORM understudy_rollup_staging_ready()\073
  DELETE FROM "ExperimentVariantSums" WHERE "experimentId" = experiment_id\073
  INSERT INTO understudy_sum_deltas
  SELECT a."experimentId", a."stageIndex", a."stageStartedAt", a."settling", a."variant", a."userId", 1,
         a."exposures", a."clicks", a."conversions", a."revenue", a."heldoutN", a."heldoutHits", p."preEvents", p."preRevenue", p."preConverted"
  FROM "ExperimentUserAggregate" a
  LEFT JOIN "ExperimentUserPre" p ON p."experimentId" = a."experimentId" AND p."userId" = a."userId"
  WHERE a."experimentId" = experiment_id\073
  PERFORM understudy_apply_sum_deltas()\073
END ';

-- An experiment's pre-period [startedAt − cupedLookbackDays, startedAt) for the CUPED covariates: no row before it starts.
CREATE FUNCTION understudy_pre_period(experiment_id TEXT) RETURNS TABLE (pre_from TIMESTAMP(3), pre_to TIMESTAMP(3)) LANGUAGE sql STABLE AS $$
  SELECT "startedAt" - make_interval(days => coalesce(("guardrails"->>'cupedLookbackDays')::int, 14)), "startedAt"
  FROM "Experiment" WHERE "id" = experiment_id AND "startedAt" IS NOT NULL
$$;

-- What one event adds to its user's row: a click, a conversion, revenue, a held-out ground-truth event and its hit.
CREATE FUNCTION understudy_event_parts(event_type "EventType", event_id TEXT, event_value FLOAT8)
RETURNS TABLE (c INTEGER, conversions INTEGER, r FLOAT8, hn INTEGER, hh FLOAT8) LANGUAGE sql IMMUTABLE AS $$
  SELECT (event_type = 'click')::int, (event_type = 'conversion')::int,
         CASE WHEN event_type = 'revenue' THEN coalesce(event_value, 0) ELSE 0 END,
         (event_type = 'custom' AND event_id LIKE 'heldout:%')::int,
         CASE WHEN event_type = 'custom' AND event_id LIKE 'heldout:%' THEN coalesce(event_value, 0) ELSE 0 END
$$;

-- Adds the staged increments to the per-user rows (one additive upsert in key order, as before) and
-- replaces each changed user's contribution to the sums: old totals = new totals − increment, so
-- concurrent writers of the same user (exposure statements run in parallel) each subtract exactly what
-- was there before their own update.
CREATE FUNCTION understudy_add_user_increments() RETURNS void LANGUAGE plpgsql AS E'
BEGIN
  WITH inc AS (
    SELECT "experimentId", stage_index, stage_started_at, settling, "variant", "userId",
           sum(x)::int AS x, sum(c)::int AS c, sum(conversions)::int AS conversions, sum(r) AS r, sum(hn)::int AS hn, sum(hh) AS hh
    FROM understudy_user_increments GROUP BY 1, 2, 3, 4, 5, 6
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
  JOIN inc i ON i."experimentId" = u."experimentId" AND i.stage_index = u."stageIndex"
    AND i.stage_started_at = u."stageStartedAt" AND i.settling = u."settling" AND i."variant" = u."variant" AND i."userId" = u."userId"
  CROSS JOIN (VALUES (1::float8, 0), (-1::float8, 1)) t(sign, k)
  LEFT JOIN "ExperimentUserPre" p ON p."experimentId" = u."experimentId" AND p."userId" = u."userId"\073
  TRUNCATE understudy_user_increments\073
  PERFORM understudy_apply_sum_deltas()\073
END ';

-- The exposure trigger: as in 20261202010300_rollup_shared_lock, with the CUPED covariates of new users
-- stored first (so the sums see them), and the user's exposures and already-stored events added through
-- understudy_add_user_increments.
CREATE OR REPLACE FUNCTION understudy_rollup_exposures() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  PERFORM pg_advisory_xact_lock_shared(1301201)\073
  PERFORM understudy_rollup_staging_ready()\073
  INSERT INTO understudy_new_exposures
  SELECT n."experimentId", s.stage_index, s.stage_started_at, s.settling, n."variant", n."userId", n."requestId", n."latencyUs", n."cpuUs", n."failed"
  FROM new_rows n CROSS JOIN LATERAL understudy_stage_of(n."experimentId", n."createdAt") s
  WHERE n."experimentId" IS NOT NULL\073

  -- CUPED covariates of users seen for the first time in an experiment (their events in the lookback)
  INSERT INTO "ExperimentUserPre" ("experimentId", "userId", "preEvents", "preRevenue", "preConverted")
  SELECT u."experimentId", u."userId", count(pe."eventId")::int,
         coalesce(sum(pe."value") FILTER (WHERE pe."type" = ''revenue''), 0),
         (count(pe."eventId") FILTER (WHERE pe."type" = ''conversion'') > 0)::int
  FROM (SELECT DISTINCT "experimentId", "userId" FROM understudy_new_exposures) u
  CROSS JOIN LATERAL understudy_pre_period(u."experimentId") w
  LEFT JOIN "Event" pe ON pe."userId" = u."userId" AND pe."timestamp" >= w.pre_from AND pe."timestamp" < w.pre_to
  GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT ("experimentId", "userId") DO NOTHING\073

  -- exposures, and the events stored before their exposure
  INSERT INTO understudy_user_increments
  SELECT "experimentId", stage_index, stage_started_at, settling, "variant", "userId", count(*), 0, 0, 0, 0, 0
  FROM understudy_new_exposures GROUP BY 1, 2, 3, 4, 5, 6
  UNION ALL
  SELECT x."experimentId", x.stage_index, x.stage_started_at, x.settling, x."variant", x."userId", 0, p.*
  FROM understudy_new_exposures x JOIN "Event" e ON e."requestId" = x."requestId"
  CROSS JOIN LATERAL understudy_event_parts(e."type", e."eventId", e."value") p\073
  PERFORM understudy_add_user_increments()\073

  INSERT INTO "ExperimentLatencyCount" AS l ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "latencyUs", "requests", "failed", "cpuUsSum")
  SELECT "experimentId", stage_index, stage_started_at, settling, "variant", "latencyUs", count(*), count(*) FILTER (WHERE "failed"), sum("cpuUs")
  FROM understudy_new_exposures GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT ("experimentId", "stageIndex", "stageStartedAt", "settling", "variant", "latencyUs")
  DO UPDATE SET "requests" = l."requests" + EXCLUDED."requests", "failed" = l."failed" + EXCLUDED."failed", "cpuUsSum" = l."cpuUsSum" + EXCLUDED."cpuUsSum"\073

  TRUNCATE understudy_new_exposures\073
  RETURN NULL\073
END ';

-- The event trigger: as before, with the events of stored exposures added through
-- understudy_add_user_increments, and late pre-period history replacing the contribution of every
-- row of its user (it holds the lock exclusively, so the covariates it reads before the update are the old).
CREATE OR REPLACE FUNCTION understudy_rollup_events() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  PERFORM pg_advisory_xact_lock(1301201)\073
  PERFORM understudy_rollup_staging_ready()\073
  INSERT INTO understudy_user_increments
  SELECT x."experimentId", s.stage_index, s.stage_started_at, s.settling, x."variant", x."userId", 0, p.*
  FROM new_rows e
  JOIN "Exposure" x ON x."requestId" = e."requestId" AND x."experimentId" IS NOT NULL
  CROSS JOIN LATERAL understudy_stage_of(x."experimentId", x."createdAt") s
  CROSS JOIN LATERAL understudy_event_parts(e."type", e."eventId", e."value") p\073
  PERFORM understudy_add_user_increments()\073

  -- late-arriving pre-period history of users already in an experiment
  WITH d AS (
    SELECT pr."experimentId", pr."userId", count(*)::int AS pre_events,
           coalesce(sum(e."value") FILTER (WHERE e."type" = ''revenue''), 0) AS pre_revenue,
           (count(*) FILTER (WHERE e."type" = ''conversion'') > 0)::int AS pre_converted
    FROM new_rows e
    JOIN "ExperimentUserPre" pr ON pr."userId" = e."userId"
    CROSS JOIN LATERAL understudy_pre_period(pr."experimentId") w
    WHERE e."timestamp" >= w.pre_from AND e."timestamp" < w.pre_to
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

-- The rebuild of 20261202010600_rollup_rebuild keeps its body under a new name: understudy_rebuild_rollups
-- now rebuilds the per-user rollups and then the sums.
ALTER FUNCTION understudy_rebuild_rollups(TEXT) RENAME TO understudy_rebuild_user_rollups;
CREATE FUNCTION understudy_rebuild_rollups(experiment_id TEXT) RETURNS void LANGUAGE plpgsql AS E'
BEGIN
  PERFORM understudy_rebuild_user_rollups(experiment_id)\073
  PERFORM understudy_rebuild_variant_sums(experiment_id)\073
END ';

-- Backfill from the rollups already stored.
SELECT understudy_rebuild_variant_sums("id") FROM "Experiment";
