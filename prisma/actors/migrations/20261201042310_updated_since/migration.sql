-- CreateIndex
CREATE INDEX "Actor_updatedAt_idx" ON "Actor"("updatedAt");
