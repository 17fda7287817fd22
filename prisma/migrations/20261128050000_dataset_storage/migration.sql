-- AlterTable
ALTER TABLE "Dataset" ADD COLUMN     "storagePath" TEXT;

