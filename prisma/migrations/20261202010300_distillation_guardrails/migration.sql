-- CreateTable
CREATE TABLE "SlateSample" (
    "requestId" UUID NOT NULL,
    "experimentId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "items" TEXT[],
    "exclude" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL,
    "referenceModelId" TEXT,
    "agreement" DOUBLE PRECISION,
    "scoredAt" TIMESTAMP(3),
    "scoreError" TEXT,

    CONSTRAINT "SlateSample_pkey" PRIMARY KEY ("requestId")
);

-- CreateTable
CREATE TABLE "DatasetSegmentation" (
    "datasetId" TEXT NOT NULL,
    "headItems" INTEGER NOT NULL,
    "users" INTEGER NOT NULL,
    "longTailUsers" INTEGER NOT NULL,
    "coldUsers" INTEGER NOT NULL,
    "computedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DatasetSegmentation_pkey" PRIMARY KEY ("datasetId")
);

-- CreateTable
CREATE TABLE "DatasetUserSegment" (
    "datasetId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "trainInteractions" INTEGER NOT NULL,
    "tailShare" DOUBLE PRECISION NOT NULL,
    "longTail" BOOLEAN NOT NULL,
    "cold" BOOLEAN NOT NULL,

    CONSTRAINT "DatasetUserSegment_pkey" PRIMARY KEY ("datasetId","userId")
);

-- CreateIndex
CREATE INDEX "SlateSample_experimentId_createdAt_idx" ON "SlateSample"("experimentId", "createdAt");

-- CreateIndex
CREATE INDEX "SlateSample_scoredAt_createdAt_idx" ON "SlateSample"("scoredAt", "createdAt");

-- AddForeignKey
ALTER TABLE "SlateSample" ADD CONSTRAINT "SlateSample_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DatasetSegmentation" ADD CONSTRAINT "DatasetSegmentation_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DatasetUserSegment" ADD CONSTRAINT "DatasetUserSegment_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "DatasetSegmentation"("datasetId") ON DELETE CASCADE ON UPDATE CASCADE;
