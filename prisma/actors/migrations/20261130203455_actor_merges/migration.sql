-- AlterTable
ALTER TABLE "Change" ADD COLUMN     "survivorId" UUID;

-- CreateTable
CREATE TABLE "ActorRedirect" (
    "fromId" UUID NOT NULL,
    "fromSlug" TEXT NOT NULL,
    "toId" UUID NOT NULL,
    "mergedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "mergedBy" TEXT NOT NULL,

    CONSTRAINT "ActorRedirect_pkey" PRIMARY KEY ("fromId")
);

-- CreateIndex
CREATE UNIQUE INDEX "ActorRedirect_fromSlug_key" ON "ActorRedirect"("fromSlug");

-- CreateIndex
CREATE INDEX "ActorRedirect_toId_idx" ON "ActorRedirect"("toId");
