-- CreateTable
CREATE TABLE "EventRedirect" (
    "fromId" UUID NOT NULL,
    "fromSlug" TEXT NOT NULL,
    "toId" UUID NOT NULL,
    "mergedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "mergedBy" TEXT NOT NULL,

    CONSTRAINT "EventRedirect_pkey" PRIMARY KEY ("fromId")
);

-- CreateIndex
CREATE UNIQUE INDEX "EventRedirect_fromSlug_key" ON "EventRedirect"("fromSlug");

-- CreateIndex
CREATE INDEX "EventRedirect_toId_idx" ON "EventRedirect"("toId");

-- AddForeignKey
ALTER TABLE "EventRedirect" ADD CONSTRAINT "EventRedirect_toId_fkey" FOREIGN KEY ("toId") REFERENCES "Event"("id") ON DELETE CASCADE ON UPDATE CASCADE;
