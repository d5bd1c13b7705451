-- CreateEnum
CREATE TYPE "ChangeOperation" AS ENUM ('CREATE', 'UPDATE', 'DELETE', 'MERGE');

-- AlterTable
ALTER TABLE "Actor" ADD COLUMN     "createdBy" TEXT NOT NULL DEFAULT 'seed',
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

    CONSTRAINT "Change_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE INDEX "Change_entityType_entityId_seq_idx" ON "Change"("entityType", "entityId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "Actor_createdBy_externalId_key" ON "Actor"("createdBy", "externalId");
