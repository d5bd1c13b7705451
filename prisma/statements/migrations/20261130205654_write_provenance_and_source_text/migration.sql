-- CreateEnum
CREATE TYPE "ChangeOperation" AS ENUM ('CREATE', 'UPDATE', 'DELETE', 'MERGE');

-- AlterTable
ALTER TABLE "Source" ADD COLUMN     "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "createdBy" TEXT NOT NULL DEFAULT 'seed',
ADD COLUMN     "externalId" TEXT,
ADD COLUMN     "text" TEXT,
ADD COLUMN     "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- AlterTable
ALTER TABLE "Claim" ADD COLUMN     "createdBy" TEXT NOT NULL DEFAULT 'seed',
ADD COLUMN     "externalId" TEXT,
ADD COLUMN     "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- AlterTable
ALTER TABLE "Statement" ADD COLUMN     "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "createdBy" TEXT NOT NULL DEFAULT 'seed',
ADD COLUMN     "externalId" TEXT,
ADD COLUMN     "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateTable
CREATE TABLE "Change" (
    "seq" BIGSERIAL NOT NULL,
    "entityType" TEXT NOT NULL,
    "entityId" UUID NOT NULL,
    "operation" "ChangeOperation" NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "by" TEXT NOT NULL,
    "fields" TEXT[],
    "survivorId" UUID,

    CONSTRAINT "Change_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE INDEX "Change_entityType_entityId_seq_idx" ON "Change"("entityType", "entityId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "Source_createdBy_externalId_key" ON "Source"("createdBy", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "Claim_createdBy_externalId_key" ON "Claim"("createdBy", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "Statement_createdBy_externalId_key" ON "Statement"("createdBy", "externalId");
