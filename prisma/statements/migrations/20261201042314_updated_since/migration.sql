-- CreateIndex
CREATE INDEX "Source_updatedAt_idx" ON "Source"("updatedAt");

-- CreateIndex
CREATE INDEX "Claim_updatedAt_idx" ON "Claim"("updatedAt");
