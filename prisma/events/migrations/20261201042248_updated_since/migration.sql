-- CreateIndex
CREATE INDEX "Event_updatedAt_idx" ON "Event"("updatedAt");
