-- AlterTable
ALTER TABLE "Metric" ADD COLUMN "archivedAt" TIMESTAMP(3);
