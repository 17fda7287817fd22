-- CreateTable
CREATE TABLE "ExposureLoss" (
    "id" BIGSERIAL NOT NULL,
    "experimentId" TEXT,
    "count" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ExposureLoss_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ExposureLoss_experimentId_idx" ON "ExposureLoss"("experimentId");

