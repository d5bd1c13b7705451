-- CreateEnum
CREATE TYPE "ChangeOperation" AS ENUM ('CREATE', 'UPDATE', 'DELETE', 'MERGE');

-- AlterTable
ALTER TABLE "Place" ADD COLUMN     "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "createdBy" TEXT NOT NULL DEFAULT 'seed',
ADD COLUMN     "externalId" TEXT,
ADD COLUMN     "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- AlterTable
ALTER TABLE "Event" ADD COLUMN     "createdBy" TEXT NOT NULL DEFAULT 'seed',
ADD COLUMN     "externalId" TEXT;

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
CREATE UNIQUE INDEX "Place_createdBy_externalId_key" ON "Place"("createdBy", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "Event_createdBy_externalId_key" ON "Event"("createdBy", "externalId");

-- CreateIndex
CREATE INDEX "Participant_claimId_idx" ON "Participant"("claimId");

-- CreateIndex
CREATE INDEX "Figure_claimId_idx" ON "Figure"("claimId");
