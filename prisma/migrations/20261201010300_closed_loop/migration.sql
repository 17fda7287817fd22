-- CreateTable
CREATE TABLE "LoopSettings" (
    "modelId" TEXT NOT NULL,
    "driftIntervalMinutes" INTEGER NOT NULL DEFAULT 60,
    "driftWindowHours" INTEGER NOT NULL DEFAULT 168,
    "thresholds" JSONB NOT NULL DEFAULT '{}',
    "snapshotIntervalHours" INTEGER NOT NULL DEFAULT 24,
    "retentionDays" INTEGER NOT NULL DEFAULT 365,
    "redistillOnDrift" BOOLEAN NOT NULL DEFAULT true,
    "redistillIntervalHours" INTEGER,
    "warmStartTeacher" BOOLEAN NOT NULL DEFAULT false,
    "autoStartExperiment" BOOLEAN NOT NULL DEFAULT false,
    "gate" JSONB NOT NULL DEFAULT '{}',
    "updatedById" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LoopSettings_pkey" PRIMARY KEY ("modelId")
);

-- CreateTable
CREATE TABLE "RedistillRun" (
    "id" TEXT NOT NULL,
    "modelId" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "driftCheckId" TEXT,
    "datasetId" TEXT NOT NULL,
    "jobRunId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "teacherJobRunId" TEXT,
    "studentJobRunId" TEXT,
    "candidateModelId" TEXT,
    "gate" JSONB,
    "experimentId" TEXT,
    "error" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "RedistillRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LoopEvent" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "modelId" TEXT,
    "entityType" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LoopEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "RedistillRun_jobRunId_key" ON "RedistillRun"("jobRunId");

-- CreateIndex
CREATE INDEX "RedistillRun_modelId_createdAt_idx" ON "RedistillRun"("modelId", "createdAt");

-- CreateIndex
CREATE INDEX "RedistillRun_modelId_datasetId_idx" ON "RedistillRun"("modelId", "datasetId");

-- CreateIndex
CREATE INDEX "LoopEvent_createdAt_idx" ON "LoopEvent"("createdAt");

-- CreateIndex
CREATE INDEX "LoopEvent_modelId_createdAt_idx" ON "LoopEvent"("modelId", "createdAt");

