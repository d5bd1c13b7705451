-- AlterTable
ALTER TABLE "ImportJob" ADD COLUMN     "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- AlterTable
ALTER TABLE "WebhookDelivery" ADD COLUMN     "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateIndex
CREATE INDEX "ImportJob_createdBy_updatedAt_idx" ON "ImportJob"("createdBy", "updatedAt");

-- CreateIndex
CREATE INDEX "ImportJob_updatedAt_idx" ON "ImportJob"("updatedAt");

-- CreateIndex
CREATE INDEX "WebhookSubscription_createdBy_updatedAt_idx" ON "WebhookSubscription"("createdBy", "updatedAt");

-- CreateIndex
CREATE INDEX "WebhookSubscription_updatedAt_idx" ON "WebhookSubscription"("updatedAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_subscriptionId_updatedAt_idx" ON "WebhookDelivery"("subscriptionId", "updatedAt");

-- Rows from before: their last change as well as it is known, rather than the migration's time.
UPDATE "ImportJob" SET "updatedAt" = COALESCE("finishedAt", "heartbeatAt", "startedAt", "createdAt");
UPDATE "WebhookDelivery" SET "updatedAt" = COALESCE("lastAttemptAt", "createdAt");
