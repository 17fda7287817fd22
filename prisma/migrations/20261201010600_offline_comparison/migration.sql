-- AlterTable
ALTER TABLE "Model" ADD COLUMN     "archivedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "OfflineEvaluation" ADD COLUMN     "comparisonId" TEXT;

-- CreateTable
CREATE TABLE "OfflineComparison" (
    "id" TEXT NOT NULL,
    "datasetId" TEXT NOT NULL,
    "teacherId" TEXT NOT NULL,
    "modelIds" TEXT[],
    "split" TEXT NOT NULL,
    "protocol" JSONB NOT NULL,
    "jobRunId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OfflineComparison_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "OfflineComparison_jobRunId_key" ON "OfflineComparison"("jobRunId");

-- CreateIndex
CREATE INDEX "OfflineComparison_teacherId_createdAt_idx" ON "OfflineComparison"("teacherId", "createdAt");

-- CreateIndex
CREATE INDEX "OfflineEvaluation_comparisonId_idx" ON "OfflineEvaluation"("comparisonId");

-- AddForeignKey
ALTER TABLE "OfflineEvaluation" ADD CONSTRAINT "OfflineEvaluation_comparisonId_fkey" FOREIGN KEY ("comparisonId") REFERENCES "OfflineComparison"("id") ON DELETE CASCADE ON UPDATE CASCADE;

