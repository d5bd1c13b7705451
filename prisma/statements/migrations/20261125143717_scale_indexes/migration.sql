-- DropForeignKey
ALTER TABLE "Statement" DROP CONSTRAINT "Statement_claimId_fkey";

-- DropIndex
DROP INDEX "Claim_eventId_question_idx";

-- DropIndex
DROP INDEX "Statement_claimId_idx";

-- DropIndex
DROP INDEX "Statement_speakerId_idx";

-- DropIndex
DROP INDEX "Statement_sourceId_idx";

-- AlterTable
-- Edited by hand: existing statements take their claim's event before the column becomes NOT NULL.
ALTER TABLE "Statement" ADD COLUMN     "eventId" UUID;
UPDATE "Statement" SET "eventId" = "Claim"."eventId" FROM "Claim" WHERE "Claim"."id" = "Statement"."claimId";
ALTER TABLE "Statement" ALTER COLUMN "eventId" SET NOT NULL;

-- CreateIndex
CREATE INDEX "Source_publishedAt_id_idx" ON "Source"("publishedAt" DESC, "id");

-- CreateIndex
CREATE INDEX "Claim_eventId_question_createdAt_id_idx" ON "Claim"("eventId", "question", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Claim_eventId_createdAt_id_idx" ON "Claim"("eventId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Claim_createdAt_id_idx" ON "Claim"("createdAt", "id");

-- CreateIndex
CREATE UNIQUE INDEX "Claim_id_eventId_key" ON "Claim"("id", "eventId");

-- CreateIndex
CREATE INDEX "Statement_claimId_saidAt_id_idx" ON "Statement"("claimId", "saidAt", "id");

-- CreateIndex
CREATE INDEX "Statement_speakerId_saidAt_id_idx" ON "Statement"("speakerId", "saidAt", "id");

-- CreateIndex
CREATE INDEX "Statement_eventId_saidAt_id_idx" ON "Statement"("eventId", "saidAt", "id");

-- CreateIndex
CREATE INDEX "Statement_sourceId_spanStart_id_idx" ON "Statement"("sourceId", "spanStart", "id");

-- CreateIndex
CREATE INDEX "Statement_claimId_stance_idx" ON "Statement"("claimId", "stance");

-- CreateIndex
CREATE INDEX "Statement_speakerId_claimId_idx" ON "Statement"("speakerId", "claimId");

-- AddForeignKey
ALTER TABLE "Statement" ADD CONSTRAINT "Statement_claimId_eventId_fkey" FOREIGN KEY ("claimId", "eventId") REFERENCES "Claim"("id", "eventId") ON DELETE CASCADE ON UPDATE CASCADE;
